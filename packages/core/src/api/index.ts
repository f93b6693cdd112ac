export type { AuthApi } from './auth-api.js';
