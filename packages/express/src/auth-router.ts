import type { Auth } from '@portcullis/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendWebResponse } from './send-web-response.js';
import { toWebRequest } from './to-web-request.js';

/**
 * Middleware serving every Portcullis route under `auth.config.basePath` (default `/auth`) and
 * passing everything else to `next()`. It matches on `req.originalUrl`, so it behaves the same
 * mounted with `app.use(router)` or `app.use('/auth', router)`; `basePath` is the path the browser
 * sees. It works before or after `express.json()`. Express 4 and 5 alike.
 *
 * The client IP given to core is the socket's; with `trustProxy: true` core reads
 * `X-Forwarded-For` itself, so Express's `trust proxy` setting does not matter here.
 *
 * @example
 * const app = express()
 * app.use(authRouter(auth))
 */
export function authRouter(auth: Auth): RequestHandler {
  const { basePath, baseURL } = auth.config;
  return function portcullisRouter(req: Request, res: Response, next: NextFunction) {
    if (!isUnderBasePath(pathOf(req.originalUrl ?? req.url), basePath)) {
      next();
      return;
    }
    toWebRequest(req, baseURL)
      .then((request) => auth.handler(request, { clientIp: req.socket.remoteAddress ?? null }))
      .then((response) => sendWebResponse(res, response))
      .catch(next);
  };
}

/** Anything `mountAuth` can mount on: an Express 4 or 5 application or router. */
export interface MountTarget {
  use(handler: RequestHandler): unknown;
}

/**
 * Mounts {@link authRouter} on an app (or router) and returns the app.
 *
 * @example
 * const auth = createAuth({ storage, secret, baseURL: 'http://localhost:3000' })
 * const app = express()
 * mountAuth(app, auth) // POST /auth/signup, POST /auth/login, GET /auth/session, ...
 * app.use(express.json()) // the app's own parsers may come before or after
 */
export function mountAuth<App extends MountTarget>(app: App, auth: Auth): App {
  app.use(authRouter(auth));
  return app;
}

function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  if (path.startsWith('/')) return path;
  try {
    return new URL(target).pathname;
  } catch {
    return `/${path}`;
  }
}

function isUnderBasePath(path: string, basePath: string): boolean {
  return basePath === '/' || path === basePath || path.startsWith(`${basePath}/`);
}
