/**
 * A user's TOTP authenticator. The secret is sealed (AES-256-GCM, see `crypto/sealed-box.ts`);
 * it is pending until the user proves a first code (`confirmedAt` set), and only a confirmed
 * authenticator is a second factor.
 */
export interface TotpCredential {
  userId: string;
  /** The base32 secret, sealed for the `totp-secret` purpose: never stored in clear. */
  secretSealed: string;
  confirmedAt: Date | null;
  /** The last 30-second step a code was accepted for: no step is accepted twice. */
  lastUsedStep: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One recovery code of a user: only its SHA-256 is stored; single use. */
export interface RecoveryCode {
  id: string;
  userId: string;
  /** SHA-256 (hex) of the normalized code. */
  codeHash: string;
  usedAt: Date | null;
  createdAt: Date;
}

/** A new TOTP authenticator to show once: the secret and the URI for a QR code. */
export interface TotpSetup {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  /** `otpauth://totp/<issuer>:<email>?secret=…&issuer=…`, for a QR code. */
  otpauthUri: string;
}

/** What second factor a user has, for an account page (never the secret or the codes). */
export interface MfaStatus {
  /** A confirmed TOTP authenticator: sign-ins ask for a second factor. */
  totpEnabled: boolean;
  /** Recovery codes not used yet (0 without a second factor: TOTP or a passkey). */
  recoveryCodesRemaining: number;
}
