export { type AuthProxyOptions, authProxy } from './auth-proxy.js';
