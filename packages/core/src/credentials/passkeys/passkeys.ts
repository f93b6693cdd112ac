import type { Session } from '../../sessions/sessions.js';

/**
 * A WebAuthn credential (passkey) of a user. Several per user; each can sign in on its own
 * (discoverable), complete a login as the second factor, or renew a session (step-up).
 * Nothing here is secret: the private key never leaves the authenticator.
 */
export interface Passkey {
  id: string;
  userId: string;
  /** The credential id as the authenticator made it, base64url (up to 1023 bytes decoded). */
  credentialId: string;
  /**
   * SHA-256 (hex) of `credentialId`: the unique lookup key. Ids may be 1.4 KB of text, more
   * than MySQL can index portably, so the store indexes their hash instead.
   */
  credentialIdHash: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /**
   * The authenticator's signature counter as last seen; 0 for authenticators without one
   * (most synced passkeys). A counter that does not grow is refused: a cloned authenticator.
   */
  counter: number;
  /** How the browser can reach the authenticator (`internal`, `hybrid`, `usb`...), as a hint. */
  transports: string[];
  /** `multiDevice` for synced passkeys, `singleDevice` for hardware-bound ones. */
  deviceType: 'singleDevice' | 'multiDevice';
  /** Whether a multi-device passkey reported itself backed up at registration. */
  backedUp: boolean;
  /** The authenticator model's AAGUID (all zeros under `none` attestation from most platforms). */
  aaguid: string;
  /** The user's label, e.g. "MacBook Touch ID". */
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  updatedAt: Date;
}

/** A passkey as its owner sees it in `GET /passkeys`: no key material. */
export interface PasskeySummary {
  id: string;
  name: string;
  deviceType: Passkey['deviceType'];
  backedUp: boolean;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** What a WebAuthn challenge was issued for; a challenge answers only its own purpose. */
export type PasskeyChallengePurpose = 'registration' | 'sign_in' | 'second_factor' | 'step_up';

/**
 * The options to hand to the browser: `@simplewebauthn/browser`'s `startRegistration({
 * optionsJSON: options })` / `startAuthentication({ optionsJSON: options })`, or
 * `PublicKeyCredential.parseCreationOptionsFromJSON(options)`.
 */
export interface PasskeyOptions {
  options: Record<string, unknown>;
}

/**
 * A passkey just registered. `recoveryCodes` comes with the user's first second factor only
 * (no TOTP, no other passkey): 10 codes, shown this once, for the day the passkey is lost.
 */
export interface RegisteredPasskey extends PasskeySummary {
  recoveryCodes?: string[];
}

/** The answer of a passkey step-up: the current session, with `authTime.hwk` now. */
export interface PasskeyStepUp {
  session: Session;
}

export function toPasskeySummary(passkey: Passkey): PasskeySummary {
  return {
    id: passkey.id,
    name: passkey.name,
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
    transports: [...passkey.transports],
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt,
  };
}
