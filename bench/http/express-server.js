/**
 * One bench server: Express 5 with one route, `GET /me`, in a process of its own so that its CPU
 * time can be read from /proc. Started by `run.js`, configured by `BENCH_HTTP_SERVER` (see
 * `server-auth.js`); it listens on an ephemeral port and tells the runner which over IPC.
 *
 * - hello world: `res.json({ ok: true })` after nothing;
 * - Portcullis: `requireAuth(auth)` from `@portcullis/express`, then `res.json({ id: req.auth.user.id })`;
 * - better-auth: `auth.api.getSession({ headers: fromNodeHeaders(req.headers) })`, as its Express
 *   guide does it, then the same answer (401 without a session).
 */
import { requireAuth } from '@portcullis/express';
import { fromNodeHeaders } from 'better-auth/node';
import express from 'express';
import { serverConfigFromEnv, startLibrary } from './server-auth.js';

const config = serverConfigFromEnv();
const library = await startLibrary(config);
const app = express();

if (library.portcullis) {
  app.get('/me', requireAuth(library.portcullis), (req, res) => {
    res.json({ id: req.auth.user.id });
  });
} else if (library.betterAuth) {
  const { api } = library.betterAuth;
  app.get('/me', async (req, res, next) => {
    try {
      const found = await api.getSession({ headers: fromNodeHeaders(req.headers) });
      if (!found) res.status(401).json({ code: 'unauthenticated' });
      else res.json({ id: found.user.id });
    } catch (error) {
      next(error);
    }
  });
} else {
  app.get('/me', (_req, res) => {
    res.json({ ok: true });
  });
}

const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: true, port: server.address().port });
});
server.keepAliveTimeout = 60_000;

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  library.close().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);
