import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthError } from '../src/errors.js';
import {
  type CheckWebhookUrlOptions,
  checkWebhookUrl,
  createPinnedDispatcher,
  type ResolvedAddress,
  sendWebhookRequest,
  type WebhookResolver,
} from '../src/webhooks/index.js';

// The SSRF corpus (issue 19): every URL here must be refused, at registration or at connection,
// and none may open a connection. Real TCP listeners on loopback count accepted connections;
// the loopback cases are the ones that would reach them if the guard failed.

interface Trap {
  readonly port: number;
  accepted(): number;
  close(): Promise<void>;
}

/** A TCP listener on `host` that accepts, counts and drops every connection. */
async function listenTrap(host: string, port = 0): Promise<Trap> {
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    accepted: () => accepted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An HTTP sink on 127.0.0.1 counting connections; `respond` answers each request. */
async function listenSink(respond: Parameters<typeof createHttpServer>[1]) {
  let connections = 0;
  const server: HttpServer = createHttpServer(respond);
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A resolver answering from a table, counting its calls; unknown names fail like ENOTFOUND. */
function tableResolver(table: Record<string, readonly string[]>) {
  const calls: string[] = [];
  const resolve: WebhookResolver = async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

const DNS_TABLE: Record<string, readonly string[]> = {
  'loopback.attacker.example': ['127.0.0.1'],
  'loopback-high.attacker.example': ['127.255.255.254'],
  'zero.attacker.example': ['0.0.0.0'],
  'v6-loopback.attacker.example': ['::1'],
  'mapped.attacker.example': ['::ffff:127.0.0.1'],
  'nat64.attacker.example': ['64:ff9b::7f00:1'],
  '6to4.attacker.example': ['2002:7f00:1::1'],
  'metadata.attacker.example': ['169.254.169.254'],
  'metadata-v6.attacker.example': ['fd00:ec2::254'],
  'private.attacker.example': ['10.0.0.5'],
  'private-172.attacker.example': ['172.20.1.1'],
  'cgnat.attacker.example': ['100.100.100.200'],
  // a public address first and a private one second: all are judged, not only the first
  'mixed.attacker.example': ['8.8.8.8', '127.0.0.1'],
  'mixed-v6.attacker.example': ['2606:4700:4700::1111', '::1'],
  'empty.attacker.example': [],
  // 127.0.0.1.nip.io-style names only resolve to the address they spell: a table says so here
  '127.0.0.1.nip.io': ['127.0.0.1'],
};

// `{port}` is the trap's port, so a URL the guard wrongly let through would reach a listener.
const CORPUS: readonly string[] = [
  // loopback in every IPv4 notation WHATWG URL parsing knows
  'http://127.0.0.1:{port}/',
  'http://127.0.0.2:{port}/',
  'http://127.1:{port}/',
  'http://127.0.1:{port}/',
  'http://2130706433:{port}/',
  'http://017700000001:{port}/',
  'http://0177.0.0.1:{port}/',
  'http://0177.1:{port}/',
  'http://0x7f.1:{port}/',
  'http://0x7f000001:{port}/',
  'http://0x7F.0x00.0x00.0x01:{port}/',
  'http://127.0.0.1.:{port}/',
  'http://%31%32%37.0.0.1:{port}/',
  'http://127%2e0%2e0%2e1:{port}/',
  'http://１２７.０.０.１:{port}/',
  'http://127。0。0。1:{port}/',
  // the unspecified address reaches local listeners on Linux
  'http://0.0.0.0:{port}/',
  'http://0:{port}/',
  'http://0x0:{port}/',
  // loopback in IPv6 and every IPv6 form that carries an IPv4 address
  'http://[::1]:{port}/',
  'http://[0:0:0:0:0:0:0:1]:{port}/',
  'http://[::]:{port}/',
  'http://[::ffff:127.0.0.1]:{port}/',
  'http://[::ffff:7f00:1]:{port}/',
  'http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/',
  'http://[::ffff:0:7f00:1]:{port}/',
  'http://[::127.0.0.1]:{port}/',
  'http://[64:ff9b::127.0.0.1]:{port}/',
  'http://[64:ff9b:1::7f00:1]:{port}/',
  'http://[2002:7f00:1::]:{port}/',
  'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{port}/',
  // private, link-local (cloud metadata), CGNAT, multicast, reserved, documentation, benchmarking
  'http://10.0.0.1:{port}/',
  'http://012.0.0.1:{port}/',
  'http://167772161:{port}/',
  'http://172.16.0.1:{port}/',
  'http://192.168.0.1:{port}/',
  'http://0xc0.0xa8.1:{port}/',
  'http://169.254.169.254:{port}/latest/meta-data/',
  'http://0xa9fea9fe:{port}/',
  'http://[::ffff:169.254.169.254]:{port}/',
  'http://[fe80::1]:{port}/',
  'http://[fd00:ec2::254]:{port}/',
  'http://[fec0::1]:{port}/',
  'http://100.64.0.1:{port}/',
  'http://224.0.0.1:{port}/',
  'http://[ff02::1]:{port}/',
  'http://255.255.255.255:{port}/',
  'http://240.0.0.1:{port}/',
  'http://192.0.2.1:{port}/',
  'http://198.18.0.1:{port}/',
  'http://[2001:db8::1]:{port}/',
  // userinfo tricks: the host is what follows the last @
  'http://good.example@127.0.0.1:{port}/',
  'http://good.example:443@127.0.0.1:{port}/',
  'http://user:pass@hooks.example.com:{port}/',
  // names: localhost and single labels
  'http://localhost:{port}/',
  'http://LOCALHOST.:{port}/',
  'http://api.localhost:{port}/',
  'http://metadata:{port}/',
  // names a resolver maps to forbidden addresses
  ...Object.keys(DNS_TABLE).map((name) => `http://${name}:{port}/`),
];

describe('the SSRF corpus', () => {
  let trap: Trap;
  let trapV6: Trap | null = null;

  beforeAll(async () => {
    trap = await listenTrap('127.0.0.1');
    // 127.0.0.2 is loopback too on Linux, and ::1 where the host has IPv6: same port, more nets
    trapV6 = await listenTrap('::1', trap.port).catch(() => null);
  });
  afterAll(async () => {
    await trap.close();
    await trapV6?.close();
  });

  it('holds at least 50 URLs', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
  });

  it('WHATWG URL parsing turns every IPv4 spelling into a dotted quad before the guard sees it', () => {
    for (const spelling of [
      '127.1',
      '2130706433',
      '017700000001',
      '0x7f.1',
      '0x7f000001',
      '0177.1',
      '127.0.0.1.',
    ]) {
      expect(new URL(`http://${spelling}/`).hostname).toBe('127.0.0.1');
    }
    expect(new URL('http://[0:0:0:0:0:ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
    expect(new URL('http://１２７.０.０.１/').hostname).toBe('127.0.0.1');
  });

  it.each(CORPUS)('refuses %s without opening a connection', async (template) => {
    const url = template.replaceAll('{port}', String(trap.port));
    const before = trap.accepted() + (trapV6?.accepted() ?? 0);
    const { resolve } = tableResolver(DNS_TABLE);
    const options: CheckWebhookUrlOptions = { environment: 'test', allowedPorts: [trap.port] };
    const outcome = await Promise.resolve()
      .then(() => sendWebhookRequest(checkWebhookUrl(url, options), { body: '{}', resolve, timeoutMs: 2000 }))
      .then(
        () => 'delivered',
        (error: unknown) => (isAuthError(error, 'webhook_url_forbidden') ? 'refused' : String(error)),
      );
    expect(outcome).toBe('refused');
    expect(trap.accepted() + (trapV6?.accepted() ?? 0) - before).toBe(0);
  });

  it('accepted 0 connections on the loopback listeners over the whole corpus', () => {
    expect(trap.accepted()).toBe(0);
    expect(trapV6?.accepted() ?? 0).toBe(0);
  });
});

describe('the pinned connection', () => {
  it('resolves once: a name that rebinds after the check keeps reaching the checked address', async () => {
    const sink = await listenSink((_req, res) => res.end('ok'));
    const rebound = await listenTrap('127.0.0.2', sink.port);
    let answers = 0;
    // first answer the sink, then the address an attacker wants: a second resolution would use it
    const resolve: WebhookResolver = async () => [
      { address: answers++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 },
    ];
    const target = checkWebhookUrl(`http://rebind.attacker.example:${sink.port}/`, {
      environment: 'test',
      allowedPorts: [sink.port],
    });
    const { dispatcher, address } = await createPinnedDispatcher(target, { resolve, allowLoopback: true });
    try {
      for (let i = 0; i < 3; i++) {
        // reset: true closes the connection after each request, so each one connects anew
        const response = await request(target.url, { dispatcher, reset: true });
        expect(await response.body.text()).toBe('ok');
      }
    } finally {
      await dispatcher.close();
    }
    expect(address).toBe('127.0.0.1');
    expect(answers).toBe(1);
    expect(sink.connections()).toBe(3);
    expect(rebound.accepted()).toBe(0);
    await sink.close();
    await rebound.close();
  });

  it('refuses a name whose single resolution answers a public and a loopback address', async () => {
    const trap = await listenTrap('127.0.0.1');
    const { resolve, calls } = tableResolver({ 'rebind.attacker.example': ['93.184.215.14', '127.0.0.1'] });
    const target = checkWebhookUrl(`http://rebind.attacker.example:${trap.port}/`, {
      environment: 'test',
      allowedPorts: [trap.port],
    });
    await expect(sendWebhookRequest(target, { body: '{}', resolve })).rejects.toMatchObject({
      code: 'webhook_url_forbidden',
    });
    expect(calls).toEqual(['rebind.attacker.example']);
    expect(trap.accepted()).toBe(0);
    await trap.close();
  });

  it('does not follow a redirect from an allowed sink to a forbidden address', async () => {
    const forbidden = await listenTrap('127.0.0.2');
    const sink = await listenSink((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.2:${forbidden.port}/` }).end();
    });
    // allowLoopback for the sink only: the redirect target is never even checked, it is not followed
    const target = checkWebhookUrl(`http://127.0.0.1:${sink.port}/hook`, {
      environment: 'test',
      allowedPorts: [sink.port],
      allowLoopback: true,
    });
    const response = await sendWebhookRequest(target, { body: '{}', allowLoopback: true });
    expect(response.status).toBe(307);
    expect(response.headers.location).toBe(`http://127.0.0.2:${forbidden.port}/`);
    expect(sink.connections()).toBe(1);
    expect(forbidden.accepted()).toBe(0);
    await sink.close();
    await forbidden.close();
  });

  it('refuses a request for another origin through a pinned dispatcher', async () => {
    const sink = await listenSink((_req, res) => res.end('ok'));
    const other = await listenTrap('127.0.0.2');
    const target = checkWebhookUrl(`http://127.0.0.1:${sink.port}/`, {
      environment: 'test',
      allowedPorts: [sink.port],
      allowLoopback: true,
    });
    const { dispatcher } = await createPinnedDispatcher(target, { allowLoopback: true });
    try {
      await expect(request(`http://127.0.0.2:${other.port}/`, { dispatcher })).rejects.toMatchObject({
        code: 'webhook_url_forbidden',
      });
    } finally {
      await dispatcher.close();
    }
    expect(other.accepted()).toBe(0);
    expect(sink.connections()).toBe(0);
    await sink.close();
    await other.close();
  });

  it('sends the exact body with the Host header naming the host, and reads the answer up to the cap', async () => {
    let received: { host?: string; body: string } | undefined;
    const sink = await listenSink((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received = { host: req.headers.host, body };
        res.end('x'.repeat(1_000_000));
      });
    });
    const target = checkWebhookUrl(`http://sink.example:${sink.port}/hook`, {
      environment: 'test',
      allowedPorts: [sink.port],
    });
    const { resolve } = tableResolver({ 'sink.example': ['127.0.0.1'] });
    const response = await sendWebhookRequest(target, {
      body: '{"type":"user.created"}',
      resolve,
      allowLoopback: true,
      maxResponseBytes: 100,
    });
    expect(received).toEqual({ host: `sink.example:${sink.port}`, body: '{"type":"user.created"}' });
    expect(response).toMatchObject({
      status: 200,
      body: 'x'.repeat(100),
      truncated: true,
      address: '127.0.0.1',
    });
    await sink.close();
  });

  it('gives up at the deadline when the endpoint never answers', async () => {
    const sink = await listenSink(() => {
      // never answers
    });
    const target = checkWebhookUrl(`http://127.0.0.1:${sink.port}/`, {
      environment: 'test',
      allowedPorts: [sink.port],
      allowLoopback: true,
    });
    const started = performance.now();
    await expect(
      sendWebhookRequest(target, { body: '{}', allowLoopback: true, timeoutMs: 200 }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(performance.now() - started).toBeLessThan(2000);
    await sink.close();
  });

  // A self-signed certificate for sink.example only (test fixture, valid until 2126; its key
  // protects nothing): the connection goes to 127.0.0.1, yet TLS must name and verify sink.example.
  const tls = {
    cert: readFileSync(new URL('./fixtures/webhook-sink-cert.pem', import.meta.url), 'utf8'),
    key: readFileSync(new URL('./fixtures/webhook-sink-key.pem', import.meta.url), 'utf8'),
  };

  async function listenTlsSink() {
    const servernames: (string | false | null)[] = [];
    const server = createHttpsServer(tls, (_req, res) => res.end('ok'));
    server.on('secureConnection', (socket) => servernames.push(socket.servername));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return {
      port: address.port,
      servernames,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('keeps TLS on the host name over the pinned address: SNI names it and the certificate is verified for it', async () => {
    const sink = await listenTlsSink();
    const { resolve } = tableResolver({ 'sink.example': ['127.0.0.1'], 'other.example': ['127.0.0.1'] });
    const options = { environment: 'live', allowedPorts: [sink.port] };
    const response = await sendWebhookRequest(
      checkWebhookUrl(`https://sink.example:${sink.port}/`, options),
      {
        body: '{}',
        resolve,
        allowLoopback: true,
        ca: tls.cert,
      },
    );
    expect(response).toMatchObject({ status: 200, body: 'ok', address: '127.0.0.1' });
    expect(sink.servernames).toEqual(['sink.example']);

    // the same address and certificate under another name: verification is for the name, so it fails
    await expect(
      sendWebhookRequest(checkWebhookUrl(`https://other.example:${sink.port}/`, options), {
        body: '{}',
        resolve,
        allowLoopback: true,
        ca: tls.cert,
      }),
    ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    // and without the test CA, Node's bundle does not trust the sink
    await expect(
      sendWebhookRequest(checkWebhookUrl(`https://sink.example:${sink.port}/`, options), {
        body: '{}',
        resolve,
        allowLoopback: true,
      }),
    ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await sink.close();
  });
});
