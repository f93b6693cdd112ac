export { emailSchema } from './email-schema.js';
export {
  type ResolvedSignupOptions,
  type SignupOptions,
  signupOptionsSchema,
} from './user-options.js';
export {
  type CreateUserInput,
  createUserService,
  type UserService,
  type UsersApi,
} from './user-service.js';
export type { UserStore } from './user-store.js';
export { normalizeEmail, SHARED_POOL, type User, type UserStatus, userPoolKey } from './users.js';
