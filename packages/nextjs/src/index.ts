export type { AuthSource } from './auth-source.js';
export type {
  PermittedRequest,
  RouteApiKeyOptions,
  RouteGuards,
  RoutePermissionOptions,
  RouteVerifiedApiKey,
} from './route-guards.js';
export { type SessionCookieAttributes, sessionCookieAttributes } from './session-cookie.js';
export {
  createSessionHelpers,
  type RequireSessionOptions,
  type SessionHelpers,
} from './session-helpers.js';
export { type NextRouteHandler, type NextRouteHandlers, toNextHandler } from './to-next-handler.js';
