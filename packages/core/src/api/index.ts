export type { Auth, AuthHandler, HandlerOptions } from './auth.js';
export type { AuthApi } from './auth-api.js';
