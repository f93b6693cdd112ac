// `@portcullis/client/webauthn`: passkey ceremonies in the browser, apart from the main entry so
// that apps without passkeys never load @simplewebauthn/browser.
export {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  platformAuthenticatorIsAvailable,
} from '@simplewebauthn/browser';
export { type PasskeySignInResult, type WebAuthnMethods, withWebAuthn } from './with-webauthn.js';
