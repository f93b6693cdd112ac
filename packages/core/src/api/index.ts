export type { Auth, AuthHandler, AuthHealth, HandlerOptions } from './auth.js';
export type { AuthApi } from './auth-api.js';
