import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import {
  normalizeAndCheckPassword,
  type PasswordHasher,
  type ResolvedPasswordOptions,
} from '../credentials/passwords/index.js';
import { generateToken, sha256Hex } from '../crypto/random.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { uuidv7 } from '../crypto/uuid.js';
import { AuthError } from '../errors.js';
import {
  emailVerificationMail,
  type LinkMailInput,
  type LinkMailTemplate,
  magicLinkMail,
  passwordResetMail,
} from '../mail/index.js';
import type { OutboxMail } from '../outbox/index.js';
import type { Clock } from '../ports/clock.js';
import type { Storage, StorageStores } from '../ports/storage.js';
import type { Lockout, RateLimiter } from '../rate-limit/index.js';
import { recordSessionsRevoked, type SessionWithUser } from '../sessions/index.js';
import {
  accountKeyOf,
  type MfaRequired,
  rememberDevice,
  type SignedIn,
  type SignInService,
} from '../sign-in/index.js';
import type { TenantService } from '../tenants/index.js';
import { normalizeEmail, type User } from '../users/users.js';
import { parseInput } from '../validation.js';
import type { AcceptedMailRequests } from './accepted-mail-requests.js';
import { type ClaimKeeps, claimAddress } from './claim-address.js';
import type { ResolvedEmailLinksOptions } from './email-link-options.js';
import {
  type ForgotPasswordInput,
  forgotPasswordInputSchema,
  type MagicLinkInput,
  magicLinkInputSchema,
  oneTimeTokenSchema,
  type ResetPasswordInput,
  resetPasswordInputSchema,
} from './email-link-schemas.js';
import type { OneTimeToken, OneTimeTokenPurpose } from './one-time-tokens.js';
import { isAllowedRedirect } from './redirect-allowlist.js';

/** A completed magic-link sign-in: the user, a new session, and the redirect the link asked for. */
export interface MagicLinkSignedIn extends SignedIn {
  /** The `redirectTo` given when the link was requested (it was on the allowlist), or null. */
  redirectTo: string | null;
}

/**
 * The email-link operations of `auth.api`: email verification, password reset and magic links.
 * Each link carries a 256-bit token, stored hashed, single use (of concurrent uses one wins),
 * with a TTL of its own; its mail goes through the outbox (a failing mailer is retried) with the
 * link sealed.
 */
export interface EmailLinksApi {
  /**
   * Mails the user a link to `emailLinks.verifyEmailUrl?token=…`; the page POSTs the token to
   * `POST /email/verify`. The token expires after `emailLinks.emailVerificationTtlSeconds`.
   * Rate-limited per address (`emailLink`). Errors: `conflict` (already verified),
   * `unauthenticated` (no such active user). Audited as `email.verification_requested`.
   *
   * @example
   * await auth.api.requestEmailVerification(session.user.id, auth.callContext(headers))
   */
  requestEmailVerification(userId: string, context?: CallContext): Promise<void>;
  /**
   * Uses an email verification token: the address it was sent to becomes verified
   * (`emailVerifiedAt`), audited as `email.verified`. Its first proof claims the account
   * (`user.email_claimed`): every session is revoked and every credential set before it is
   * removed — except when `current`, the session of the browser that proves the address, is the
   * same user's: that browser's session and every credential stay, only the other sessions are
   * revoked (see docs/credentials.md, "First proof of an address"). Errors: `token_invalid` (unknown, malformed, or a token of
   * another purpose), `token_used`, `token_expired`. Of concurrent uses one wins.
   *
   * @example
   * const user = await auth.api.verifyEmail(token, context, current) // user.emailVerifiedAt is set
   */
  verifyEmail(token: string, context?: CallContext, current?: SessionWithUser | null): Promise<User>;
  /**
   * "Forgot password": mails a reset link (`emailLinks.resetPasswordUrl?token=…`, valid at most
   * one hour, single use) when the address belongs to an active account — and returns the same
   * way, in the same time, when it does not, so the caller learns nothing: it resolves once the
   * request is accepted, and the account is looked up and the mail queued just after (the outbox
   * dispatcher and `auth.close()` wait for it). `tenant` names an isolated pool. Only
   * `rate_limited` (per address) and `invalid_request` can be thrown.
   *
   * @example
   * await auth.api.requestPasswordReset({ email })
   */
  requestPasswordReset(input: ForgotPasswordInput, context?: CallContext): Promise<void>;
  /**
   * Uses a reset token: the new password (the password policy applies: `password_too_short`…)
   * replaces the old one and EVERY session of the user is revoked, in one transaction with the
   * use of the token and the `password.reset` audit event; the user's other reset links die too.
   * The link reached the inbox, so the address counts as verified; its first proof also removes
   * every other credential set before it (`user.email_claimed`).
   * Opens no session: the user signs in again, with every factor the account has. Errors:
   * `token_invalid`, `token_used`, `token_expired`, `user_suspended`. A rejected password uses
   * nothing; of concurrent uses exactly one wins.
   *
   * @example
   * const { revokedSessions } = await auth.api.resetPassword({ token, password })
   */
  resetPassword(input: ResetPasswordInput, context?: CallContext): Promise<{ revokedSessions: number }>;
  /**
   * Mails a sign-in link (`emailLinks.magicLinkUrl?token=…`, valid at most 10 minutes, single
   * use) when the address belongs to an active account, and returns the same way, in the same
   * time, when it does not (accepted first, carried out just after, as `requestPasswordReset`).
   * `redirectTo` must equal an entry of `emailLinks.redirectAllowlist` exactly
   * (`redirect_not_allowed` otherwise, checked before the account is looked up).
   *
   * @example
   * await auth.api.requestMagicLink({ email, redirectTo: '/dashboard' })
   */
  requestMagicLink(input: MagicLinkInput, context?: CallContext): Promise<void>;
  /**
   * Uses a magic link token: a new session with `amr: ['email']` (one factor; it never satisfies
   * MFA) and the link's `redirectTo` (re-checked against the allowlist, else null). The address
   * counts as verified; its first proof removes every credential and session set before it
   * (`user.email_claimed`) and opens the session, asking for no second factor the proof removed.
   * A user with a (verified) second factor gets a pending login (`mfaRequired`) instead of a
   * session. Errors: `token_invalid`, `token_used`, `token_expired`, `user_suspended`.
   *
   * @example
   * const { token, session, redirectTo } = await auth.api.verifyMagicLink(tokenFromPage)
   */
  verifyMagicLink(token: string, context?: CallContext): Promise<MagicLinkSignedIn | MfaRequired>;
}

/** The email-links domain: its `auth.api` operations. */
export interface EmailLinkService {
  api: EmailLinksApi;
}

/** What the email-link service uses. */
export interface EmailLinkServiceDeps {
  storage: Storage;
  clock: Clock;
  hasher: PasswordHasher;
  rateLimiter: RateLimiter;
  /** A completed reset clears the account's password failures and remembers the browser. */
  lockout: Pick<Lockout, 'clear' | 'rememberDevice'>;
  tenants: TenantService;
  signIn: SignInService;
  /** Seals the links (they carry the tokens) in the outbox rows. */
  mailBox: SealedBox;
  /** Carries out the anonymous mail requests after their answer (see {@link AcceptedMailRequests}). */
  mailRequests: AcceptedMailRequests;
}

export interface EmailLinkServiceOptions {
  emailLinks: ResolvedEmailLinksOptions;
  /** The password policy a reset's new password must pass. */
  password: ResolvedPasswordOptions;
}

export function createEmailLinkService(
  deps: EmailLinkServiceDeps,
  { emailLinks: links, password: policy }: EmailLinkServiceOptions,
): EmailLinkService {
  const { storage, clock, hasher, rateLimiter, lockout, tenants, signIn, mailBox, mailRequests } = deps;

  const PAGES: Record<OneTimeTokenPurpose, URL> = {
    email_verification: links.verifyEmailUrl,
    password_reset: links.resetPasswordUrl,
    magic_link: links.magicLinkUrl,
  };
  const TTL_SECONDS: Record<OneTimeTokenPurpose, number> = {
    email_verification: links.emailVerificationTtlSeconds,
    password_reset: links.passwordResetTtlSeconds,
    magic_link: links.magicLinkTtlSeconds,
  };
  const TEMPLATES: Record<OneTimeTokenPurpose, (input: LinkMailInput) => LinkMailTemplate> = {
    email_verification: emailVerificationMail,
    password_reset: passwordResetMail,
    magic_link: magicLinkMail,
  };
  const REQUESTED_ACTION: Record<OneTimeTokenPurpose, string> = {
    email_verification: 'email.verification_requested',
    password_reset: 'password.reset_requested',
    magic_link: 'magic_link.requested',
  };

  /** Per recipient, whether or not the account exists: the limit itself reveals nothing. */
  async function limitMail(email: string, context: CallContext) {
    const state = await rateLimiter.consume('emailLink', `email:${normalizeEmail(email)}`, {
      ip: context.ip,
    });
    if (state) (context.rateLimits ??= []).push(state);
  }

  /** The user an anonymous request names (isolated pools by `tenant`), or null. */
  async function findRecipient(email: string, tenant: string | undefined): Promise<User | null> {
    let poolTenantId: string | null = null;
    if (tenant) {
      const found = await tenants.resolveTenant(tenant);
      if (!found || found.status !== 'active') return null;
      if (found.userPool === 'isolated') poolTenantId = found.id;
    }
    const user = await storage.users.findByEmail(poolTenantId, normalizeEmail(email));
    return user && user.status === 'active' ? user : null;
  }

  /**
   * Stores a new token for `user` and queues its mail, in one transaction with the audit and
   * outbox rows. The link (it carries the token) is sealed in the outbox row.
   */
  async function issueToken(
    user: User,
    purpose: OneTimeTokenPurpose,
    context: CallContext,
    options: { token?: string; redirectTo?: string | null } = {},
  ) {
    const now = clock.now();
    const token = options.token ?? generateToken(32);
    const record: OneTimeToken = {
      id: uuidv7(now.getTime()),
      userId: user.id,
      purpose,
      tokenHash: sha256Hex(token),
      email: user.email,
      redirectTo: options.redirectTo ?? null,
      expiresAt: new Date(now.getTime() + TTL_SECONDS[purpose] * 1000),
      usedAt: null,
      createdAt: now,
    };
    const link = new URL(PAGES[purpose]);
    link.searchParams.set('token', token);
    const message: OutboxMail = {
      ...TEMPLATES[purpose]({ to: user.email, expiresAt: record.expiresAt, appName: links.appName }),
      // only the sealed form of the link may rest in the outbox row
      sealed: { link: mailBox.seal(link.href) },
    };
    const data = { purpose, expiresAt: record.expiresAt.toISOString() };
    await storage.transaction(async (tx) => {
      await tx.oneTimeTokens.create(record);
      await recordChange(tx, clock, context, {
        tenantId: user.tenantId,
        action: REQUESTED_ACTION[purpose],
        target: { type: 'user', id: user.id },
        data,
        event: { userId: user.id, ...data, mail: message },
      });
    });
  }

  /**
   * An anonymous request for a link: answered as soon as it is validated and counted, and
   * carried out after the answer (the recipient looked up, the token stored and its mail queued
   * only for an active account), so the answer takes the same time whether the address has an
   * account or not: the transaction that writes the token, the audit entry and the outbox row is
   * what took 4–6 ms longer (docs/benchmarks.md, "Mail routes").
   */
  function acceptMailRequest(
    email: string,
    tenant: string | undefined,
    purpose: 'password_reset' | 'magic_link',
    context: CallContext,
    options: { redirectTo?: string | null } = {},
  ) {
    // a copy: the request's context object is the handler's, and is done with once answered
    const requestContext: CallContext = { ...context, rateLimits: undefined, device: undefined };
    mailRequests.accept(async () => {
      const user = await findRecipient(email, tenant);
      if (user) await issueToken(user, purpose, requestContext, options);
    });
  }

  /** Finds the token of `purpose` and checks, without using it, that it is still usable. */
  async function checked(token: string, purpose: OneTimeTokenPurpose): Promise<OneTimeToken> {
    if (!oneTimeTokenSchema.safeParse(token).success) throw new AuthError('token_invalid');
    const found = await storage.oneTimeTokens.findByTokenHash(sha256Hex(token));
    // a token of another purpose is not one of these: it is neither used nor described
    if (!found || found.purpose !== purpose) throw new AuthError('token_invalid');
    const unusable = unusableReason(found);
    if (unusable) throw unusable;
    return found;
  }

  function unusableReason(token: OneTimeToken): AuthError | null {
    if (token.usedAt) return new AuthError('token_used');
    if (token.expiresAt.getTime() <= clock.now().getTime()) return new AuthError('token_expired');
    return null;
  }

  /** Uses the token on the caller's transaction; throws (rolling it back) when another use won. */
  async function consume(tx: StorageStores, token: OneTimeToken): Promise<OneTimeToken> {
    const used = await tx.oneTimeTokens.consume(token.id, clock.now());
    if (used) return used;
    const current = await tx.oneTimeTokens.findByTokenHash(token.tokenHash);
    throw (current && unusableReason(current)) ?? new AuthError('token_used');
  }

  /** The active user a token was issued to; a deleted account's token is simply invalid. */
  async function tokenUser(stores: StorageStores, token: OneTimeToken): Promise<User> {
    const user = await stores.users.findById(token.userId);
    if (!user || user.status === 'deleted') throw new AuthError('token_invalid');
    if (user.status !== 'active') throw new AuthError('user_suspended');
    return user;
  }

  const api: EmailLinksApi = {
    async requestEmailVerification(userId, context = {}) {
      const user = await storage.users.findById(userId);
      if (!user || user.status !== 'active') throw new AuthError('unauthenticated');
      if (user.emailVerifiedAt) {
        throw new AuthError('conflict', { detail: 'this email address is already verified' });
      }
      await limitMail(user.email, context);
      await issueToken(user, 'email_verification', context);
    },

    async verifyEmail(token, context = {}, current = null) {
      const found = await checked(token, 'email_verification');
      const user = await storage.transaction(async (tx) => {
        const used = await consume(tx, found);
        const owner = await tokenUser(tx, used);
        // a browser signed in to this account proves the address for the account's holder: it
        // keeps its session and the credentials (see ClaimKeeps.credentials)
        const keep: ClaimKeeps =
          current && current.user.id === owner.id && current.session.revokedAt === null
            ? { sessionId: current.session.id, credentials: true }
            : {};
        const claimed = await claimAddress(tx, clock, context, {
          user: owner,
          email: used.email,
          via: 'email_verification',
          keep,
        });
        if (!claimed) {
          // already verified: nothing to change; or the address changed since the mail was sent
          if (owner.email !== used.email) throw new AuthError('token_invalid');
          return owner;
        }
        return { ...owner, emailVerifiedAt: claimed.verifiedAt, updatedAt: claimed.verifiedAt };
      });
      return user;
    },

    async requestPasswordReset(rawInput, context = {}) {
      const input = parseInput(forgotPasswordInputSchema, rawInput);
      await limitMail(input.email, context);
      acceptMailRequest(input.email, input.tenant, 'password_reset', context);
    },

    async resetPassword(rawInput, context = {}) {
      const input = parseInput(resetPasswordInputSchema, rawInput);
      const found = await checked(input.token, 'password_reset');
      const owner = await storage.users.findById(found.userId);
      // the policy and the slow hash run before the transaction; a rejected password uses nothing
      const password = await normalizeAndCheckPassword(input.password, policy, owner ?? {});
      const passwordHash = await hasher.hash(password);
      let resetUser: User | null = null;
      const revokedSessions = await storage.transaction(async (tx) => {
        const used = await consume(tx, found);
        const user = await tokenUser(tx, used);
        resetUser = user;
        const now = clock.now();
        // the link reached the inbox: a first proof of the address removes what was set before
        // it; the new password is what this proof establishes, so it is set after the claim
        const claimed = await claimAddress(tx, clock, context, {
          user,
          email: used.email,
          via: 'password_reset',
        });
        await tx.passwords.upsert(user.id, passwordHash, now);
        // every session: whoever asked for the reset may be locked out of a session an attacker holds
        const revoked = await tx.sessions.revokeAllForUser(user.id, now, 'password_reset');
        // a first proof's claim revoked them already (and recorded it)
        const revokedSessions = revoked + (claimed?.removed.sessions ?? 0);
        // older reset links die with this one
        await tx.oneTimeTokens.expireUnused(user.id, 'password_reset', now);
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'password.reset',
          actor: { type: 'user', id: user.id },
          target: { type: 'user', id: user.id },
          data: { revokedSessions },
        });
        await recordSessionsRevoked(tx, clock, context, {
          userId: user.id,
          count: revoked,
          reason: 'password_reset',
        });
        return revokedSessions;
      });
      // the mailbox is proven: wrong passwords typed by anyone no longer delay the owner, and this
      // browser counts on its own password counter from now on (the second factor's stay as they are)
      const user = resetUser as User | null;
      if (user) {
        await lockout.clear(accountKeyOf(user), 'password', context.device?.cookie);
        rememberDevice(lockout, user, context);
      }
      // no session is opened: the next sign-in still asks for every factor the account has
      return { revokedSessions };
    },

    async requestMagicLink(rawInput, context = {}) {
      const input = parseInput(magicLinkInputSchema, rawInput);
      // checked before the account is looked up: the answer may not depend on it
      if (input.redirectTo !== undefined && !isAllowedRedirect(input.redirectTo, links.redirectAllowlist)) {
        throw new AuthError('redirect_not_allowed', {
          detail: 'redirectTo must equal an entry of the redirect allowlist exactly',
        });
      }
      await limitMail(input.email, context);
      acceptMailRequest(input.email, input.tenant, 'magic_link', context, {
        redirectTo: input.redirectTo ?? null,
      });
    },

    async verifyMagicLink(token, context = {}) {
      const found = await checked(token, 'magic_link');
      const user = await tokenUser(storage, found);
      let signedInAs = user;
      let redirectTo: string | null = null;
      // the first proof of the address removes every second factor set before it, so none is
      // asked for; the claim below must then happen, or the sign-in must not
      const firstProof = user.emailVerifiedAt === null;
      // a magic link is one factor: an account with a second factor gets a pending login; the
      // link is used up with either outcome, in its transaction
      const result = await signIn.completeSignIn({
        user,
        method: 'email',
        context,
        ...(firstProof ? { hasSecondFactor: false } : {}),
        async commit(tx) {
          const used = await consume(tx, found);
          // the link reached the inbox: that proves the address as a verification link would
          const claimed = await claimAddress(tx, clock, context, {
            user,
            email: used.email,
            via: 'magic_link',
          });
          if (claimed) {
            signedInAs = { ...user, emailVerifiedAt: claimed.verifiedAt, updatedAt: claimed.verifiedAt };
          } else if (firstProof) {
            // another proof verified the address since it was read: its second factors (if any)
            // were not asked for, so this sign-in rolls back (the link stays usable) and is retried
            throw new AuthError('conflict', {
              detail: 'the address was verified meanwhile: use the link again',
            });
          }
          // re-checked at use: the allowlist may have shrunk since the mail was sent
          if (used.redirectTo !== null && isAllowedRedirect(used.redirectTo, links.redirectAllowlist)) {
            redirectTo = used.redirectTo;
          }
        },
      });
      if ('mfaRequired' in result) return result;
      return { ...result, user: signedInAs, redirectTo };
    },
  };

  return { api };
}
