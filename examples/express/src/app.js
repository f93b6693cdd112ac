import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKyselyFromUrl, kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { redisKeyValue } from '@portcullis/adapter-redis';
import { consoleMailer, createAuth } from '@portcullis/core';
import { authErrorHandler, mountAuth, requireAuth, toWebHeaders } from '@portcullis/express';
import express from 'express';
import { Redis } from 'ioredis';
import { renderSVG } from 'uqr';
import {
  CLIENT_SCOPES,
  DOCUMENT_POLICIES,
  PERMISSION_CATALOG,
  RESOURCE_ATTRIBUTES,
  TENANT_ROLES,
} from './access-rules.js';
import { apiErrors } from './api-errors.js';
import { API_V1_MOUNTS, apiV1Routes } from './api-v1-routes.js';
import { clientCallDemo } from './client-call-demo.js';
import { devMailbox } from './dev-mailbox.js';
import { documentRoutes } from './document-routes.js';
import { documentStore, documentsTableName, ensureDocumentsTable } from './document-store.js';
import { resourceRoutes } from './resource-routes.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const publicDir = join(exampleDir, 'public');

/**
 * @typedef {object} StartOptions
 * @property {number} [port] Port to listen on; 0 picks a free one. Default 3000.
 * @property {string} [host] Interface to listen on. Default `localhost` (this machine only); `0.0.0.0`
 *   or `::` for every interface.
 * @property {string} [databaseUrl] postgres://, mysql:// or sqlite: URL. Default: `data/portcullis.sqlite`.
 * @property {string} [secret] At least 32 random characters. Default: a dev-only secret kept in `data/`.
 * @property {string} [baseURL] The public origin. Default `http://localhost:<port>`.
 * @property {string} [tablePrefix] Prefix of Portcullis's tables and of the app's `documents`. Default `pc_`.
 * @property {string} [dataDir] Where the default SQLite file and dev secret live. Default `data/`.
 * @property {string} [redisUrl] Redis for rate limits, counters and the session cache, shared by every
 *   instance (several instances may then share one database). Default: none (one instance).
 * @property {boolean} [trustProxy] Take the client address from X-Forwarded-For (behind a proxy).
 * @property {Record<string, import('@portcullis/core').OAuthProvider>} [oauthProviders] Social/OIDC
 *   sign-in providers (see `oauth-providers.js`); the page shows a "Sign in with …" button for each.
 * @property {Array<'EdDSA' | 'ES256' | 'RS256'>} [tokenAlgorithms] The access tokens' signing
 *   algorithms (`tokens.signingKeys.algorithms`); the first signs. Default Portcullis's,
 *   `['EdDSA', 'ES256']`; `RS256` (3072-bit keys) is opt-in, for verifiers without EC or Ed25519.
 * @property {boolean} [devMailbox] Keep sent mail in memory and show it at /dev/mailbox and
 *   /dev/mailbox.json. Default: on unless NODE_ENV is `production` (then mail is printed, links redacted).
 * @property {import('@portcullis/core').Logger} [logger]
 */

/**
 * Starts the example: migrates the database (Portcullis's tables, then the app's documents
 * table), creates the auth instance, serves the auth routes under /auth (members, invitations,
 * roles and policies included), a protected GET /api/me, the documents of a tenant under
 * /api/tenants/:tenantId/documents, the machine API under /api/resource (M2M client tokens), the
 * versioned API for API keys under /api/v1 (live keys) and /api/test/v1 (test keys), the "API
 * client" card's POST /api/demo/client-call and the page in public/ (which accepts invitation
 * links).
 *
 * @param {StartOptions} [options]
 * @returns {Promise<{ url: string, host: string, port: number, auth: import('@portcullis/core').Auth, close: () => Promise<void> }>}
 */
export async function startServer(options = {}) {
  const dataDir = options.dataDir ?? join(exampleDir, 'data');
  const databaseUrl = options.databaseUrl ?? `sqlite:${join(ensureDir(dataDir), 'portcullis.sqlite')}`;
  const secret = options.secret ?? devSecret(dataDir);
  // loopback unless asked: the dev mailbox and a development secret are not for the network
  const host = options.host ?? 'localhost';

  const { db, close: closeDatabase } = await createKyselyFromUrl(databaseUrl);
  // fail fast while Redis is away (Portcullis then answers from the database) rather than queueing
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on('error', () => {}); // reconnects by itself; Portcullis logs the degraded mode
  const keyValue = redis ? redisKeyValue(redis) : undefined;
  const mailbox = (options.devMailbox ?? process.env.NODE_ENV !== 'production') ? devMailbox() : null;
  let auth;
  const server = createServer();
  try {
    await migrate(db, { direction: 'up', tablePrefix: options.tablePrefix });
    const documentsTable = documentsTableName(options.tablePrefix);
    await ensureDocumentsTable(db, documentsTable);
    const port = await listen(server, options.port ?? 3000, host);
    const baseURL = options.baseURL ?? `http://localhost:${port}`;
    auth = createAuth({
      storage: kyselyStorage(db, { tablePrefix: options.tablePrefix }),
      secret,
      baseURL,
      keyValue,
      trustProxy: options.trustProxy ?? false,
      logger: options.logger,
      // members join by invitation; whoever signs up into an isolated-pool tenant with its slug
      // alone gets Portcullis's default `tenants.isolatedSignupRole`, `viewer` (read only)
      tenants: { defaultRoles: TENANT_ROLES },
      // invitation links (the page shows them; a mailer would send them) open the page with
      // ?token=…, which offers to accept the invitation or to sign up with it
      // (createAuth checks baseURL and names what is wrong with it; resolving it here first would
      // only say "Invalid URL")
      invitations: URL.canParse(baseURL) ? { acceptUrl: new URL('/', baseURL).href } : undefined,
      // the catalog refuses unknown permissions; the attributes let policy writes warn of typos
      authorization: {
        permissions: PERMISSION_CATALOG,
        resourceAttributes: RESOURCE_ATTRIBUTES,
        policies: DOCUMENT_POLICIES,
      },
      // M2M clients (the "API client" card, POST /auth/tenants/:id/clients) ask for these scopes
      clients: { scopes: CLIENT_SCOPES },
      // access tokens (token mode, M2M clients): the keys live in this process's memory, which
      // Portcullis warns about; a real deployment passes tokens.signingKeys.keyEncryptionKeys
      ...(options.tokenAlgorithms
        ? { tokens: { signingKeys: { algorithms: options.tokenAlgorithms } } }
        : {}),
      // a real app passes its SMTP or API mailer here
      mailer: mailbox ? mailbox.mailer : consoleMailer(),
      // the emailed links open /verify-email, /reset-password and /magic-link (public/*.html),
      // which POST the token on a click; a magic link may only lead back to the app's page
      emailLinks: { appName: 'Portcullis example', redirectAllowlist: ['/'] },
      // "Sign in with …": the page lists GET /auth/oauth/providers; a provider account whose email
      // is already registered links only after its owner signs in and links it (the safe default)
      ...(options.oauthProviders && Object.keys(options.oauthProviders).length > 0
        ? { oauth: { providers: options.oauthProviders } }
        : {}),
    });
    const self = selfOrigin(server.address());
    const demoUrls = {
      tokenEndpoint: new URL(`${auth.config.basePath.replace(/\/$/, '')}/oauth/token`, self),
      reportsUrl: new URL('/api/resource/reports', self),
    };
    server.on(
      'request',
      createApp(auth, documentStore(db, documentsTable), mailbox, options.logger, demoUrls),
    );
  } catch (error) {
    server.close();
    await auth?.close();
    await keyValue?.close();
    redis?.disconnect();
    await closeDatabase();
    throw error;
  }

  return {
    url: auth.config.baseURL.origin,
    host,
    port: server.address().port,
    auth,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await auth.close();
      await keyValue?.close();
      redis?.disconnect();
      await closeDatabase();
    },
  };
}

/**
 * @param {import('@portcullis/core').Auth} auth
 * @param {ReturnType<typeof documentStore>} documents
 * @param {ReturnType<typeof devMailbox> | null} mailbox
 * @param {import('@portcullis/core').Logger | undefined} logger
 * @param {Parameters<typeof clientCallDemo>[0]} demoUrls
 */
function createApp(auth, documents, mailbox, logger, demoUrls) {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);

  mountAuth(app, auth);

  app.use('/api', (_req, res, next) => {
    res.set({ 'cache-control': 'no-store', 'x-request-id': randomUUID() });
    next();
  });
  app.get('/api/me', requireAuth(auth), (req, res) => {
    const { user, session } = req.auth;
    res.json({
      user: {
        id: user.id,
        email: user.email,
        emailVerifiedAt: user.emailVerifiedAt,
        name: user.name,
        createdAt: user.createdAt,
      },
      session: { id: session.id, createdAt: session.createdAt, expiresAt: session.expiresAt },
    });
  });
  // TOTP enrolment as POST /auth/mfa/totp/setup answers it, plus the otpauth:// URI drawn as a QR
  // code: drawn here, so the page loads no QR library and the secret goes to no third party
  app.post('/api/mfa/totp/setup', requireAuth(auth), async (req, res) => {
    const context = auth.callContext(toWebHeaders(req), { clientIp: req.socket.remoteAddress ?? null });
    const setup = await auth.api.setupTotp(req.auth.session, context);
    const svg = renderSVG(setup.otpauthUri, { border: 2 });
    res.json({ ...setup, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` });
  });
  app.use('/api/tenants/:tenantId/documents', documentRoutes(auth, documents));
  // the machine API: M2M client tokens (Authorization: Bearer), no session
  app.use('/api/resource', resourceRoutes(auth, documents));
  // the versioned API for API keys (the "API keys" card): live keys at /api/v1, test keys at
  // /api/test/v1; a key never crosses to the other environment's routes
  for (const [environment, mount] of Object.entries(API_V1_MOUNTS)) {
    app.use(mount, apiV1Routes(auth, documents, { environment }));
  }
  // the "API client" card: a signed-in person has the server play an M2M client
  app.use('/api/demo/client-call', requireAuth(auth), clientCallDemo(demoUrls));
  // every /api failure as problem+json: unknown paths, Portcullis's errors, and unexpected ones
  app.use('/api', ...apiErrors(logger));

  if (mailbox) app.use(mailbox.router);
  // /verify-email, /reset-password and /magic-link are public/<name>.html
  app.use(express.static(publicDir, { extensions: ['html'] }));
  app.use(authErrorHandler());
  return app;
}

/** @type {import('express').RequestHandler} */
function securityHeaders(_req, res, next) {
  res.set({
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  });
  next();
}

/**
 * A random secret generated on first start and kept in `data/`, so sessions survive restarts
 * in development. Refused in production: there the secret must come from AUTH_SECRET.
 */
function devSecret(dataDir) {
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'AUTH_SECRET is required in production (32+ random characters, e.g. `openssl rand -base64 32`)',
    );
  }
  const file = join(ensureDir(dataDir), 'dev-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  console.warn(`[portcullis example] AUTH_SECRET is not set: using the development-only secret in ${file}`);
  return readFileSync(file, 'utf8').trim();
}

function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The origin this server answers itself at: its listening address, a wildcard one (`0.0.0.0`,
 * `::`) taken as loopback.
 */
function selfOrigin({ address, family, port }) {
  if (family === 'IPv6' || family === 6) {
    return `http://[${address === '::' ? '::1' : address}]:${port}`;
  }
  return `http://${address === '0.0.0.0' ? '127.0.0.1' : address}:${port}`;
}

/** Resolves with the port actually bound (useful with port 0). */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}
