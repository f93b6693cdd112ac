export {
  accountKeyOf,
  completeSignIn,
  type ProvenFirstFactor,
  rememberDevice,
  type SignInCollaborators,
  type SignInOutcome,
} from './complete-sign-in.js';
export { MFA_CHALLENGE_TTL_SECONDS } from './pending-logins.js';
export type { MfaMethod, MfaRequired, PendingLogin, SignedIn } from './sign-in.js';
export { type VerifyMfaInput, verifyMfaInputSchema } from './sign-in-schemas.js';
export { createSignInService, type SignInApi, type SignInService } from './sign-in-service.js';
export type { SecondFactors, SignInAccount, SignInStore } from './sign-in-store.js';
