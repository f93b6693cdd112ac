import type { StepUpRequirement } from '../errors.js';
import { credentialChangeMail } from '../mail/index.js';
import type { MailMessage } from '../ports/mailer.js';
import type { Session } from './sessions.js';
import { checkStepUp } from './step-up.js';

/** What every credential change asks of the session that makes it, and tells the owner. */
export interface CredentialChangeRule extends StepUpRequirement {
  /** The routes that make (or start) the change, as `docs/credentials.md` lists them. */
  routes: readonly string[];
  /** The sentence of the mail that tells the account's owner, never with a secret in it. */
  notice: string;
}

/**
 * Every change to how a user signs in, and how recent the session's last authentication must be
 * to make it: the one table the TOTP, passkey, OAuth and password services consult, and that
 * `docs/credentials.md` prints (a test keeps the two equal). A stolen session cookie is the
 * threat: without this, an old session could enrol its own authenticator and lock the owner
 * out. `methods` is left out everywhere: any method the session proved counts (a password, a
 * passkey, a one-time code, a magic link, a provider), so every user can renew it
 * (`POST /reauthenticate`, a passkey step-up, or a new sign-in). Refusals are
 * `step_up_required` (401) carrying the requirement. Every successful change mails the owner
 * (`credentialChangeEvent`).
 *
 * Adding a row without a case in `packages/core/test/http-credential-changes.test.ts` fails its
 * type check; renaming a passkey is not a credential change (a label, not a way in).
 */
export const CREDENTIAL_CHANGES = {
  'totp.setup': {
    routes: ['POST /mfa/totp/setup'],
    maxAgeSeconds: 900,
    notice: 'Setting up an authenticator app for two-step sign-in was started on your account.',
  },
  'totp.confirm': {
    routes: ['POST /mfa/totp/confirm'],
    maxAgeSeconds: 900,
    notice: 'An authenticator app was turned on for two-step sign-in on your account.',
  },
  'totp.disable': {
    routes: ['DELETE /mfa/totp'],
    maxAgeSeconds: 300,
    notice: 'The authenticator app of your account was turned off.',
  },
  'recovery_codes.regenerate': {
    routes: ['POST /mfa/recovery-codes'],
    maxAgeSeconds: 300,
    notice: 'New recovery codes were made for your account; the earlier ones no longer work.',
  },
  'passkey.register': {
    routes: ['POST /passkeys/registration/options', 'POST /passkeys/registration'],
    maxAgeSeconds: 900,
    notice: 'A passkey was added to your account.',
  },
  'passkey.delete': {
    routes: ['DELETE /passkeys/:id'],
    maxAgeSeconds: 300,
    notice: 'A passkey was removed from your account.',
  },
  'oauth.link': {
    routes: ['GET /oauth/:provider?intent=link'],
    maxAgeSeconds: 600,
    notice: 'A sign-in provider was linked to your account.',
  },
  'oauth.unlink': {
    routes: ['DELETE /oauth/accounts/:id'],
    maxAgeSeconds: 300,
    notice: 'A sign-in provider was unlinked from your account.',
  },
  'password.change': {
    routes: ['POST /password/change'],
    maxAgeSeconds: 300,
    notice: 'The password of your account was changed.',
  },
} as const satisfies Record<string, CredentialChangeRule>;

/** The name of a credential change, a key of {@link CREDENTIAL_CHANGES}. */
export type CredentialChange = keyof typeof CREDENTIAL_CHANGES;

/**
 * Throws `AuthError('step_up_required')` (401, with the requirement) unless the session
 * authenticated recently enough for `change`, by the rule of {@link CREDENTIAL_CHANGES}. Call it
 * first, before anything that reads or writes the account.
 *
 * @example
 * requireFreshAuthentication(session, 'totp.setup', clock.now())
 */
export function requireFreshAuthentication(
  session: Pick<Session, 'authTime'>,
  change: CredentialChange,
  now: Date,
): void {
  const rule: CredentialChangeRule = CREDENTIAL_CHANGES[change];
  checkStepUp(
    session,
    { maxAgeSeconds: rule.maxAgeSeconds, ...(rule.methods ? { methods: rule.methods } : {}) },
    now,
  );
}

/** Who is told of a change, and in which app's name. */
export interface CredentialChangeRecipient {
  user: { id: string; email: string };
  appName: string;
  at: Date;
  /** A harmless detail for the mail, such as the passkey's name or the provider's. */
  detail?: string;
}

/**
 * The outbox event of a credential change: `data` (the audit's redacted details), the user's
 * id, and the mail that tells the owner what changed and when. The mail names no secret (no
 * code, no TOTP secret, no password): it goes to the address on file, which the owner reads and,
 * if the change was not theirs, acts on.
 *
 * @example
 * await recordChange(tx, clock, context, {
 *   tenantId: user.tenantId, action: 'mfa.totp_disabled', target, data,
 *   event: credentialChangeEvent('totp.disable', { user, appName, at: now }, data),
 * })
 */
export function credentialChangeEvent(
  change: CredentialChange,
  recipient: CredentialChangeRecipient,
  data: Record<string, unknown> = {},
): Record<string, unknown> & { mail: MailMessage } {
  const mail = credentialChangeMail({
    to: recipient.user.email,
    appName: recipient.appName,
    notice: CREDENTIAL_CHANGES[change].notice,
    at: recipient.at,
    ...(recipient.detail !== undefined ? { detail: recipient.detail } : {}),
  });
  return { ...data, userId: recipient.user.id, change, mail };
}
