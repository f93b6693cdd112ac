export { readCookie, sessionCookieName } from '../sessions/session-cookie.js';
export { serializeClearedSessionCookie, serializeSessionCookie } from './cookies.js';
export { assertTrustedOrigin } from './csrf.js';
export { createHandler, MAX_BODY_BYTES } from './handler.js';
export { buildOpenApiDocument, type OpenApiOptions } from './openapi.js';
export {
  type ProblemBody,
  problemBody,
  problemHeaders,
  problemResponse,
  rateLimitStateOf,
  stepUpChallenge,
  toProblem,
} from './problem.js';
export { rateLimitHeaders } from './rate-limit-headers.js';
export {
  type PublicSession,
  type PublicUser,
  type SerializedSession,
  serializeSession,
} from './response-schemas.js';
export type { HttpMethod, RouteContext, RouteDefinition, RouteResult } from './route.js';
export { accountRoutes, sessionRoutes } from './routes/account-routes.js';
export { tenantRoutes } from './routes/tenant-routes.js';
export { STATUS_BY_CODE, TITLE_BY_CODE } from './status-codes.js';
