import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Auth } from '../../src/index.js';

/**
 * `auth.handler` behind a real node:http server on a loopback port, for clients nobody here
 * wrote (openid-client, fetch). `current()` names the instance to answer with, so one server
 * serves every test's fresh instance; requests come from 127.0.0.1.
 */
export async function serveHandler(
  current: () => Auth | undefined,
): Promise<{ baseURL: string; close(): Promise<void> }> {
  let baseURL = '';
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`${baseURL}${req.url}`, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
    });
    const auth = current();
    if (!auth) {
      res.writeHead(503).end();
      return;
    }
    const response = await auth.handler(request, { clientIp: '127.0.0.1' });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
