import { startServer } from './app.js';
import { oauthProvidersFromEnv } from './oauth-providers.js';

const port = Number(process.env.PORT ?? 3000);

/** `PORTCULLIS_TOKEN_ALGORITHMS=ES256,RS256` → `['ES256', 'RS256']` (createAuth checks the names). */
function tokenAlgorithmsFromEnv(value) {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length > 0 ? names : undefined;
}

let server;
try {
  server = await startServer({
    port,
    host: process.env.HOST || 'localhost',
    databaseUrl: process.env.DATABASE_URL,
    secret: process.env.AUTH_SECRET,
    baseURL: process.env.BASE_URL,
    tablePrefix: process.env.TABLE_PREFIX,
    redisUrl: process.env.REDIS_URL,
    trustProxy: process.env.TRUST_PROXY === '1',
    oauthProviders: oauthProvidersFromEnv(process.env),
    tokenAlgorithms: tokenAlgorithmsFromEnv(process.env.PORTCULLIS_TOKEN_ALGORITHMS),
  });
} catch (error) {
  console.error(`[portcullis example] could not start: ${error.message}`);
  process.exit(1);
}
const { url, host, close } = server;
console.log(
  `[portcullis example] listening on ${host}:${server.port}` +
    (host === 'localhost' ? ' (this machine only; HOST=0.0.0.0 listens on every interface)' : ''),
);
// last, so it is the line to click
console.log(`Portcullis example: ${url}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
