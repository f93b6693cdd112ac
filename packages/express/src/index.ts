export { authErrorHandler } from './auth-error-handler.js';
export { authRouter, type MountTarget, mountAuth } from './auth-router.js';
export {
  type RequireApiKeyOptions,
  requireApiKey,
  requireEnvironment,
} from './require-api-key.js';
export { type RequestAuth, type RequireAuthOptions, requireAuth } from './require-auth.js';
export { type RequirePermissionOptions, requirePermission } from './require-permission.js';
export { requireStepUp } from './require-step-up.js';
export { sendWebResponse } from './send-web-response.js';
export { toWebHeaders, toWebRequest } from './to-web-request.js';
