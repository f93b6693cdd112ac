/**
 * One token-endpoint bench server: Express 5 serving the library's own routes, in a process of
 * its own so that its CPU time can be read from /proc. Started by `token-run.js`, configured by
 * `BENCH_HTTP_SERVER` (see `server-auth.js`, with `tokenEndpoint: true`); it listens on an
 * ephemeral port and tells the runner which over IPC.
 *
 * - Portcullis: `authRouter(auth)` from `@portcullis/express` (`POST /auth/oauth/token`);
 * - better-auth: `toNodeHandler(auth)` from `better-auth/node` on `/api/auth/*`, before any body
 *   parser, as its Express guide mounts it (`POST /api/auth/oauth2/token`).
 */
import { authRouter } from '@portcullis/express';
import { toNodeHandler } from 'better-auth/node';
import express from 'express';
import { serverConfigFromEnv, startLibrary } from './server-auth.js';

const config = serverConfigFromEnv();
if (!config.tokenEndpoint)
  throw new Error('token-server.js serves the token endpoint: tokenEndpoint must be set');
const library = await startLibrary(config);
const app = express();

if (library.portcullis) app.use(authRouter(library.portcullis));
else if (library.betterAuth) app.all('/api/auth/{*rest}', toNodeHandler(library.betterAuth));
else throw new Error(`token-server.js has no token endpoint for library ${config.library}`);

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
