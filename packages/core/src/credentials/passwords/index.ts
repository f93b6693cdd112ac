export {
  type Argon2Params,
  createPasswordHasher,
  MIN_ARGON2_PARAMS,
  type PasswordHasher,
} from './password-hasher.js';
export {
  DEFAULT_MAX_PASSWORD_LENGTH,
  DEFAULT_MIN_PASSWORD_LENGTH,
  type PasswordOptions,
  passwordOptionsSchema,
  type ResolvedPasswordOptions,
} from './password-options.js';
export {
  normalizeAndCheckPassword,
  normalizePasswordForVerify,
  type PasswordPolicy,
} from './password-policy.js';
export {
  type ChangePasswordInput,
  changePasswordInputSchema,
  type ReauthenticateInput,
  reauthenticateInputSchema,
  type SignInInput,
  type SignUpInput,
  signInInputSchema,
  signUpInputSchema,
} from './password-schemas.js';
export {
  type CreateUserRequest,
  createPasswordService,
  type PasswordService,
  type PasswordsApi,
  type SignUpPending,
} from './password-service.js';
export type { PasswordStore } from './password-store.js';
