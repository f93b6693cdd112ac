export {
  MAX_PASSKEY_TIMEOUT_SECONDS,
  type PasskeysOptions,
  passkeysOptionsSchema,
  type ResolvedPasskeysOptions,
  resolvePasskeysOptions,
} from './passkey-options.js';
export {
  type AuthenticatePasskeyInput,
  authenticatePasskeyInputSchema,
  type PasskeyAuthenticationOptionsInput,
  passkeyAuthenticationOptionsInputSchema,
  passkeyRegistrationOptionsInputSchema,
  type RegisterPasskeyInput,
  type RenamePasskeyInput,
  registerPasskeyInputSchema,
  renamePasskeyInputSchema,
} from './passkey-schemas.js';
export {
  createPasskeyService,
  type PasskeyAuthentication,
  type PasskeyService,
  type PasskeyServiceOptions,
  type PasskeysApi,
} from './passkey-service.js';
export type { PasskeyStore } from './passkey-store.js';
export {
  type Passkey,
  type PasskeyChallengePurpose,
  type PasskeyOptions,
  type PasskeyStepUp,
  type PasskeySummary,
  type RegisteredPasskey,
  toPasskeySummary,
} from './passkeys.js';
