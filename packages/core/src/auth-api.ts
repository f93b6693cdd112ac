import type { AuditChainVerification } from './audit/audit-chain.js';
import type { AuthorizationFilter } from './authorization/authorization-filter.js';
import type {
  AuthorizationResult,
  AuthorizeInput,
  AuthorizeManyInput,
} from './authorization/authorization-service.js';
import type { Decision } from './authorization/authorizer.js';
import type { PermissionCatalogListing } from './authorization/permission-catalog.js';
import type { PolicyInput } from './authorization/policy-schema.js';
import type { StoredPolicy } from './authorization/policy-store.js';
import type { Role } from './authorization/roles.js';
import type { CallContext } from './call-context.js';
import type { OAuthAccount, OAuthCompleted, OAuthStart, StartOAuthInput } from './credentials/oauth/index.js';
import type {
  AuthenticatePasskeyInput,
  PasskeyAuthentication,
  PasskeyAuthenticationOptionsInput,
  PasskeyOptions,
  PasskeySummary,
  RegisterPasskeyInput,
  RenamePasskeyInput,
} from './credentials/passkeys/index.js';
import type {
  ChangePasswordInput,
  ReauthenticateInput,
  SignInInput,
  SignUpInput,
  SignUpPending,
} from './credentials/passwords/index.js';
import type { ConfirmTotpInput, MfaStatus, TotpSetup } from './credentials/totp/index.js';
import type {
  ForgotPasswordInput,
  MagicLinkInput,
  MagicLinkSignedIn,
  ResetPasswordInput,
} from './email-links/index.js';
import type { StepUpRequirement } from './errors.js';
import type { CreatedInvitation, CreateInvitationInput } from './invitations/index.js';
import type { InvitationSummary } from './invitations/invitations.js';
import type { UpdateMemberInput } from './memberships/membership-schemas.js';
import type { Member, Membership } from './memberships/memberships.js';
import type { Page, PageRequest } from './ports/pagination.js';
import type { SessionWithUser } from './sessions/session-service.js';
import type { Session } from './sessions/sessions.js';
import type { MfaRequired, SignedIn, VerifyMfaInput } from './sign-in/index.js';
import type { CreateTenantInput, UpdateTenantInput } from './tenants/tenant-service.js';
import type { Tenant } from './tenants/tenants.js';
import type { User } from './users/users.js';

/** Input of {@link AuthApi.createUser}. */
export interface CreateUserRequest {
  email: string;
  password?: string;
  name?: string;
  /** An isolated-pool tenant the user belongs to; omit for the shared pool. */
  tenantId?: string;
  emailVerified?: boolean;
}

/**
 * Server-side operations: the same validation, rate limits, audit and outbox as the HTTP routes,
 * without HTTP. Pass a {@link CallContext} to record the actor and client of a call.
 *
 * @example
 * const { user, token } = await auth.api.signIn({ email, password }, { ip })
 * const current = await auth.api.getSession(request) // null when signed out
 */
export interface AuthApi {
  /**
   * Creates a user with a password and signs them in (or `{ pending }` in notify mode). With
   * `invitationToken`, the invitation is accepted in the same transaction (the user is created in
   * the tenant's pool when it is isolated); a bad token fails the sign-up with nothing written.
   */
  signUp(input: SignUpInput, context?: CallContext): Promise<SignedIn | SignUpPending>;
  /**
   * Verifies email and password and opens a new session (a new token at every sign-in). When the
   * user has a confirmed second factor, no session is opened: the answer is
   * `{ mfaRequired: true, challengeId, methods }`, to complete with {@link AuthApi.verifyMfa}
   * within 5 minutes.
   *
   * @example
   * const result = await auth.api.signIn({ email, password }, context)
   * if ('mfaRequired' in result) return askForCode(result.challengeId, result.methods)
   */
  signIn(input: SignInInput, context?: CallContext): Promise<SignedIn | MfaRequired>;
  /**
   * Completes a pending login (see {@link AuthApi.signIn}) with a second factor: a TOTP code of
   * the current or previous 30 s step that was never accepted before, or an unused recovery code
   * (then used up, audited `mfa.recovery_code_used`). Opens a new session whose `amr` is
   * `['pwd', 'otp']` and `authTime` holds both times; the challenge is single use. A wrong or
   * replayed code is `invalid_mfa_code` and counts on the account's failure counter like a wrong
   * password (`account_locked`); an unknown, expired or completed challenge is
   * `mfa_challenge_invalid`.
   *
   * @example
   * const { user, session, token } = await auth.api.verifyMfa({ challengeId, method: 'totp', code: '123456' })
   */
  verifyMfa(input: VerifyMfaInput, context?: CallContext): Promise<SignedIn>;
  /**
   * The user's second factors as an account page shows them: whether TOTP is on and how many
   * recovery codes are left (never a secret or a code).
   *
   * @example
   * const { totpEnabled, recoveryCodesRemaining } = await auth.api.getMfaStatus(userId)
   */
  getMfaStatus(userId: string): Promise<MfaStatus>;
  /**
   * Starts TOTP enrolment for the user: a new secret (sealed with AES-256-GCM at rest) and its
   * `otpauth://` URI (issuer: the host of `baseURL`). Pending until {@link AuthApi.confirmTotp};
   * a new setup replaces a pending one. `mfa_already_enabled` when a confirmed one exists.
   *
   * @example
   * const { secret, otpauthUri } = await auth.api.setupTotp(userId) // render otpauthUri as a QR code
   */
  setupTotp(userId: string): Promise<TotpSetup>;
  /**
   * Confirms the pending authenticator with its current code and turns MFA on: returns 10
   * recovery codes, shown this once (only their SHA-256 is stored). The code's step is used up.
   * Audited `mfa.totp_enabled` and `mfa.recovery_codes_generated`, with outbox events, in the
   * same transaction. `invalid_mfa_code` for a wrong code (counted like a wrong password),
   * `mfa_not_enabled` without a pending setup.
   *
   * @example
   * const { recoveryCodes } = await auth.api.confirmTotp(userId, { code: '123456' })
   */
  confirmTotp(
    userId: string,
    input: ConfirmTotpInput,
    context?: CallContext,
  ): Promise<{ recoveryCodes: string[] }>;
  /**
   * Turns TOTP off for the session's user and deletes the recovery codes. Needs a fresh
   * authentication (within 5 minutes, `step_up_required` otherwise: see `POST /reauthenticate`).
   * Audited `mfa.totp_disabled`. `mfa_not_enabled` when there is nothing to turn off.
   *
   * @example
   * await auth.api.disableTotp(current.session, auth.callContext(headers))
   */
  disableTotp(session: Session, context?: CallContext): Promise<void>;
  /**
   * Replaces every recovery code of the session's user with 10 new ones (shown once). Needs a
   * fresh authentication like {@link AuthApi.disableTotp} and enabled TOTP. Audited
   * `mfa.recovery_codes_generated`.
   *
   * @example
   * const { recoveryCodes } = await auth.api.regenerateRecoveryCodes(current.session)
   */
  regenerateRecoveryCodes(session: Session, context?: CallContext): Promise<{ recoveryCodes: string[] }>;
  /** Revokes the session this token belongs to; a no-op for an unknown token. */
  signOut(sessionToken: string, context?: CallContext): Promise<void>;
  /** The session of a request (its cookie), or null. Accepts a Request or its headers. */
  getSession(request: Request | Headers): Promise<SessionWithUser | null>;
  /** The session for a raw session token, or null. */
  validateSessionToken(token: string): Promise<SessionWithUser | null>;
  listSessions(userId: string): Promise<Session[]>;
  revokeSession(userId: string, sessionId: string, context?: CallContext): Promise<void>;
  revokeOtherSessions(userId: string, currentSessionId: string, context?: CallContext): Promise<number>;
  revokeAllSessions(userId: string, context?: CallContext): Promise<number>;
  changePassword(
    userId: string,
    currentSessionId: string | null,
    input: ChangePasswordInput,
    context?: CallContext,
  ): Promise<{ revokedSessions: number }>;
  /**
   * Step-up with the password: the user signed in with `sessionToken` proves the password again,
   * and that session records it (`authTime.pwd` = now, `pwd` added to `amr`), so
   * {@link AuthApi.checkStepUp} passes again. Rate-limited and counted by the account's failure
   * counter exactly like sign-in (`rate_limited`, `account_locked`); a wrong password is
   * `invalid_credentials`, an invalid session `unauthenticated`. Audited as
   * `session.reauthenticated`.
   *
   * @example
   * const { session } = await auth.api.reauthenticate(token, { password }, auth.callContext(headers))
   * session.authTime.pwd // now, in epoch seconds
   */
  reauthenticate(
    sessionToken: string,
    input: ReauthenticateInput,
    context?: CallContext,
  ): Promise<{ session: Session }>;
  /**
   * Step-up check: returns when the session's user authenticated at most `maxAgeSeconds` ago (by
   * one of `methods` when given, e.g. `['otp', 'hwk']`; by any method otherwise), and throws
   * `AuthError('step_up_required')` carrying the requirement when not. Answered over HTTP (core's
   * handler, the Express and Next.js helpers) it is a 401 problem with the RFC 9470 challenge
   * `WWW-Authenticate: Bearer error="insufficient_user_authentication", …, max_age=<n>`; the
   * client then calls `POST /reauthenticate` and retries. An invalid requirement is
   * `config_invalid`.
   *
   * @example
   * auth.api.checkStepUp(current.session, { maxAgeSeconds: 300 }) // throws unless fresh enough
   */
  checkStepUp(session: Pick<Session, 'authTime'>, requirement: StepUpRequirement): void;
  createTenant(creatorUserId: string, input: CreateTenantInput, context?: CallContext): Promise<Tenant>;
  listTenants(userId: string, page?: Partial<PageRequest>): Promise<Page<Tenant>>;
  /**
   * The tenant, if the user is a member (`not_found` otherwise). Like every tenant operation, it
   * takes the call's `context`: its `session` and `ip` are what the tenant's policies see as
   * `context.mfa`, `context.authAgeSeconds` and `context.ip` (absent without them).
   */
  getTenant(tenantId: string, userId: string, context?: CallContext): Promise<Tenant>;
  updateTenant(
    tenantId: string,
    userId: string,
    input: UpdateTenantInput,
    context?: CallContext,
  ): Promise<Tenant>;
  listMembers(
    tenantId: string,
    userId: string,
    page?: Partial<PageRequest>,
    context?: CallContext,
  ): Promise<Page<Member>>;
  /**
   * Replaces a member's roles and/or ABAC attributes; the caller (`userId`) needs `member.update`.
   * Every role must exist in the tenant (`unknown_role`) and carry only permissions the caller
   * holds (`forbidden`), and a member holding permissions beyond the caller's cannot be changed
   * by them (`forbidden`). At least one role; attributes are a JSON object of at most 8 KiB,
   * 8 levels deep. Demoting the tenant's last owner (`tenants.creatorRole`) is `last_owner`,
   * decided under a lock on the tenant so two concurrent demotions cannot both pass. Takes effect
   * on the member's next request (authorization reads the membership every time). Audited and
   * emitted as `member.updated`.
   *
   * @example
   * await auth.api.updateMember(tenantId, adminId, userId, { roles: ['admin'], attributes: { team: 'eu' } })
   */
  updateMember(
    tenantId: string,
    userId: string,
    memberUserId: string,
    input: UpdateMemberInput,
    context?: CallContext,
  ): Promise<Membership>;
  /**
   * Removes a member (the caller needs `member.remove` and to hold every permission the member
   * holds), or — when `memberUserId` is the caller — leaves the tenant, which needs no
   * permission. The last owner can do neither (`last_owner`). In the same transaction the
   * member's sessions acting in this tenant are revoked; every other authorization path reads the
   * membership, so the next request to the tenant answers `not_found`. Audited and emitted as
   * `member.removed` or `member.left`.
   *
   * In an isolated-pool tenant the user is not suspended or deleted: they stay in the tenant's
   * pool, can still sign in, but hold no membership (every tenant route answers `not_found`)
   * until invited back. Suspend them with `suspendUser` to stop sign-ins as well.
   *
   * @example
   * await auth.api.removeMember(tenantId, adminId, userId)   // remove someone
   * await auth.api.removeMember(tenantId, userId, userId)    // leave
   */
  removeMember(tenantId: string, userId: string, memberUserId: string, context?: CallContext): Promise<void>;
  /**
   * Invites into a tenant (needs `invitation.manage`): one email address (used once), or an open
   * link with `maxUses` (default 1, at most 1000). Roles must exist (`unknown_role`) and be
   * grantable by the caller (`forbidden`). Expires after `expiresInSeconds` (default 7 days, at
   * most 30). Returns the token this once: only its SHA-256 is stored. With an email and a
   * configured mailer, the invitation mail (a link to `invitations.acceptUrl?token=…`) is sent
   * through the outbox; the link rests there sealed (AES-256-GCM, key derived from `secret`),
   * never in clear. Audited and emitted as `invitation.created`.
   *
   * @example
   * const { token } = await auth.api.createInvitation(tenantId, adminId, { email: 'ada@example.com', roles: ['member'] })
   */
  createInvitation(
    tenantId: string,
    userId: string,
    input: CreateInvitationInput,
    context?: CallContext,
  ): Promise<CreatedInvitation>;
  /**
   * The tenant's invitations of every status, by id, page by page (needs `invitation.manage`);
   * never tokens or hashes. Expiry is not a status: compare `expiresAt`.
   *
   * @example
   * const { items, nextCursor } = await auth.api.listInvitations(tenantId, adminId, { limit: 20 })
   */
  listInvitations(
    tenantId: string,
    userId: string,
    page?: Partial<PageRequest>,
    context?: CallContext,
  ): Promise<Page<InvitationSummary>>;
  /**
   * Revokes a pending invitation (needs `invitation.manage`); `not_found` for an unknown,
   * another tenant's or no longer pending one. Audited and emitted as `invitation.revoked`.
   *
   * @example
   * await auth.api.revokeInvitation(tenantId, adminId, invitationId)
   */
  revokeInvitation(
    tenantId: string,
    userId: string,
    invitationId: string,
    context?: CallContext,
  ): Promise<void>;
  /**
   * The signed-in user accepts an invitation and becomes a member with its roles. The use is
   * taken atomically in the transaction that creates the membership, so `maxUses` holds under
   * concurrency and a failed accept uses nothing. Errors: `invitation_invalid` (unknown token),
   * `invitation_expired`, `invitation_used_up`, `invitation_revoked`,
   * `invitation_email_mismatch` (an email invitation, another address: emails are compared
   * normalized; there is no email verification yet, so a matching address is taken at its
   * word), `already_member`, `invitation_requires_signup` (an isolated-pool tenant: its users
   * are created in it, by `signUp` with `invitationToken`), `forbidden` (a user of an isolated
   * pool joining another tenant). Audited and emitted as `invitation.accepted` and `member.added`.
   *
   * @example
   * const membership = await auth.api.acceptInvitation(session.user.id, token)
   */
  acceptInvitation(userId: string, token: string, context?: CallContext): Promise<Membership>;
  /**
   * Creates a user from server code (admin provisioning, imports), with or without a password;
   * the password, if any, must pass the policy. `email_taken` when the pool has the email.
   */
  createUser(input: CreateUserRequest, context?: CallContext): Promise<User>;
  getUser(userId: string): Promise<User | null>;
  /** Suspends the user and revokes all their sessions at once. */
  suspendUser(userId: string, context?: CallContext): Promise<User>;
  reactivateUser(userId: string, context?: CallContext): Promise<User>;
  /** The tenant's roles; the caller needs `member.read` there. */
  listRoles(tenantId: string, userId: string, context?: CallContext): Promise<Role[]>;
  /**
   * Creates a custom role (needs `role.manage`). Only permissions the caller holds may be granted
   * (`forbidden` otherwise); a taken key is a `conflict`.
   */
  createRole(
    tenantId: string,
    userId: string,
    input: { key: string; name: string; permissions: string[] },
    context?: CallContext,
  ): Promise<Role>;
  /** Renames a role or replaces its permissions (same rules as createRole); bumps its version. */
  updateRole(
    tenantId: string,
    userId: string,
    roleId: string,
    input: { name?: string; permissions?: string[] },
    context?: CallContext,
  ): Promise<Role>;
  /** Deletes a role no member holds; the creator role (`owner`) cannot be deleted. */
  deleteRole(tenantId: string, userId: string, roleId: string, context?: CallContext): Promise<void>;
  /**
   * The tenant's stored ABAC policies, oldest first; the caller needs `policy.manage` there
   * (`not_found` for non-members, `forbidden` without it). Code-defined policies are not listed.
   *
   * @example
   * const policies = await auth.api.listPolicies(tenantId, adminUserId)
   */
  listPolicies(tenantId: string, userId: string, context?: CallContext): Promise<StoredPolicy[]>;
  /**
   * Stores a tenant policy (needs `policy.manage`) in one transaction with its audit entry, its
   * `policy.created` outbox event and a bump of the tenant's authorization version, so the next
   * `authorize` sees it. Errors: `invalid_policy` (issues name each problem and its path: unknown
   * operators, bad references, too deep or too large), `unknown_permission` (outside the
   * permission catalog), `forbidden` (an allow policy for actions the caller does not hold; deny
   * policies are always allowed), `policy_limit_reached` (500 per tenant).
   *
   * @example
   * await auth.api.createPolicy(tenantId, adminUserId, {
   *   effect: 'deny',
   *   actions: ['document.*'],
   *   resource: 'document',
   *   condition: { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
   *   description: 'Documents only from the office network',
   * })
   */
  createPolicy(
    tenantId: string,
    userId: string,
    input: PolicyInput,
    context?: CallContext,
  ): Promise<StoredPolicy>;
  /**
   * Replaces every field of a policy (a condition or description left out is removed), with the
   * rules of {@link createPolicy}; bumps the policy's version and the tenant's authorization
   * version, and emits `policy.updated`. `not_found` for another tenant's policy id.
   *
   * @example
   * await auth.api.replacePolicy(tenantId, adminUserId, policy.id, { ...policy, effect: 'deny' })
   */
  replacePolicy(
    tenantId: string,
    userId: string,
    policyId: string,
    input: PolicyInput,
    context?: CallContext,
  ): Promise<StoredPolicy>;
  /**
   * Deletes a tenant policy (needs `policy.manage`), emitting `policy.deleted`; `not_found` when
   * the tenant has no such policy.
   *
   * @example
   * await auth.api.deletePolicy(tenantId, adminUserId, policyId)
   */
  deletePolicy(tenantId: string, userId: string, policyId: string, context?: CallContext): Promise<void>;
  /**
   * The permission catalog (`authorization.permissions` plus the built-in tenant permissions),
   * and whether it is enforced, for admin UIs rendering role and policy editors.
   *
   * @example
   * const { resources } = auth.api.listPermissions()
   * // [{ resource: 'document', actions: ['create', 'delete', 'read', 'update'] }, …]
   */
  listPermissions(): PermissionCatalogListing;
  /**
   * Is the user allowed `action` (on `resource`) in the tenant? Roles, the tenant's policies and
   * code-defined ones decide; `explain` lists every rule considered. A user with no membership
   * gets `{ allowed: false, reason: { kind: 'not_member' } }`. With a permission catalog
   * configured, an action outside it throws `unknown_permission` (a typo in code should fail
   * loudly, not read as a deny); over HTTP that is a 422.
   *
   * @example
   * const { allowed } = await auth.api.authorize({ userId, tenantId, action: 'document.update',
   *   resource: { type: 'document', ownerId: doc.ownerId } })
   */
  authorize(input: AuthorizeInput): Promise<AuthorizationResult>;
  /**
   * {@link AuthApi.authorize} as a guard, the rule `requirePermission` in `@portcullis/express`
   * and `@portcullis/nextjs` applies: returns the allowing decision; throws `not_found` when the
   * user is not a member of the tenant (a tenant id tells an outsider nothing) and `forbidden`,
   * carrying the decision's `reason`, when denied.
   *
   * @example
   * await auth.api.requirePermission({ userId, tenantId, action: 'invoice.refund', session, ip })
   */
  requirePermission(input: AuthorizeInput): Promise<Decision>;
  /**
   * {@link authorize} for many resources at once (a page of documents, say): one decision per
   * resource, in order, with the membership and the compiled rules looked up once.
   *
   * @example
   * const decisions = await auth.api.authorizeMany({ userId, tenantId, action: 'document.update',
   *   resources: docs.map((d) => ({ type: 'document', ownerId: d.ownerId })) })
   * const editable = docs.filter((_, i) => decisions[i]!.allowed)
   */
  authorizeMany(input: AuthorizeManyInput): Promise<AuthorizationResult[]>;
  /**
   * Which resources of a type the user may act on, as `all`, `none` or a condition that
   * `toKyselyWhere` / `toDrizzleWhere` turn into a `where`.
   */
  authorizationFilter(
    input: Omit<AuthorizeInput, 'resource' | 'explain'> & { resourceType: string },
  ): Promise<AuthorizationFilter>;
  /**
   * Recomputes an audit hash chain: a tenant's (`{ tenantId }`), a user's own events outside any
   * tenant (`{ userId }`), or the global chain (`{}`).
   */
  verifyAuditChain(scope: { tenantId?: string; userId?: string }): Promise<AuditChainVerification>;

  // — one-time tokens: email verification, password reset, magic links —
  /**
   * Mails the user a link to `emailLinks.verifyEmailUrl?token=…`; the page POSTs the token to
   * `POST /email/verify`. The token is 256-bit, stored hashed, single use and expires after
   * `emailLinks.emailVerificationTtlSeconds`. The mail goes through the outbox (a failing mailer
   * is retried) with the link sealed. Rate-limited per address (`emailLink`). Errors:
   * `conflict` (already verified), `unauthenticated` (no such active user). Audited as
   * `email.verification_requested`.
   *
   * @example
   * await auth.api.requestEmailVerification(session.user.id, auth.callContext(headers))
   */
  requestEmailVerification(userId: string, context?: CallContext): Promise<void>;
  /**
   * Uses an email verification token: the address it was sent to becomes verified
   * (`emailVerifiedAt`), audited as `email.verified`. Errors: `token_invalid` (unknown, malformed,
   * or a token of another purpose), `token_used`, `token_expired`. Of concurrent uses one wins.
   *
   * @example
   * const user = await auth.api.verifyEmail(token) // user.emailVerifiedAt is set
   */
  verifyEmail(token: string, context?: CallContext): Promise<User>;
  /**
   * "Forgot password": mails a reset link (`emailLinks.resetPasswordUrl?token=…`, valid at most
   * one hour, single use) when the address belongs to an active account — and returns the same
   * way when it does not, so the caller learns nothing. `tenant` names an isolated pool. Only
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
   * use) when the address belongs to an active account, and returns the same way when it does not.
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
   * counts as verified. Errors: `token_invalid`, `token_used`, `token_expired`, `user_suspended`.
   *
   * @example
   * const { token, session, redirectTo } = await auth.api.verifyMagicLink(tokenFromPage)
   */
  verifyMagicLink(token: string, context?: CallContext): Promise<MagicLinkSignedIn | MfaRequired>;
  /**
   * Starts registering a passkey for the signed-in user: WebAuthn creation options (a 256-bit
   * challenge, single use, bound to this session, valid `passkeys.timeoutSeconds` ≤ 300 s;
   * discoverable credential; the user's passkeys excluded). Needs an authentication at most 15
   * minutes old (`step_up_required` otherwise).
   *
   * @example
   * const { options } = await auth.api.passkeyRegistrationOptions(current)
   * // browser: const response = await startRegistration({ optionsJSON: options })
   */
  passkeyRegistrationOptions(current: SessionWithUser, context?: CallContext): Promise<PasskeyOptions>;
  /**
   * Verifies the browser's registration response (challenge, origin among `passkeys.origins`,
   * rpID, user verification when `required`) and stores the passkey; audited
   * `passkey.registered` with its outbox event. `passkey_challenge_invalid` for an unknown,
   * expired, used or foreign challenge, `passkey_verification_failed` for anything the
   * verification refuses, `conflict` for a passkey already registered.
   *
   * @example
   * const passkey = await auth.api.registerPasskey(current, { response, name: 'Laptop' })
   */
  registerPasskey(
    current: SessionWithUser,
    input: RegisterPasskeyInput,
    context?: CallContext,
  ): Promise<PasskeySummary>;
  /**
   * WebAuthn request options. With `challengeId` (a pending login of `signIn`): for the second
   * factor, the user's passkeys allowed. Else with `current` (a session): step-up, bound to that
   * session. Else: a usernameless sign-in (any discoverable passkey of this site).
   *
   * @example
   * const { options } = await auth.api.passkeyAuthenticationOptions({}, null) // usernameless
   */
  passkeyAuthenticationOptions(
    input: PasskeyAuthenticationOptionsInput,
    current?: SessionWithUser | null,
    context?: CallContext,
  ): Promise<PasskeyOptions>;
  /**
   * Verifies an authentication response against the challenge it signed (single use) and the
   * passkey's stored key and counter (a counter that does not grow is
   * `passkey_counter_regression`). Answers, by what the options were for:
   * - usernameless sign-in: a new session, `amr` `['hwk', 'mfa']` when the authenticator verified
   *   the user, `['hwk']` otherwise, or `mfaRequired` when it did not and the user has TOTP;
   * - second factor (`challengeId`): a new session, `amr` `['pwd', 'hwk']` (or `['email', 'hwk']`);
   * - step-up (`current`): `{ session }`, the current session with `authTime.hwk` now.
   *
   * @example
   * const result = await auth.api.authenticateWithPasskey({ response }, null, context)
   * if ('token' in result) setCookie(result.token)
   */
  authenticateWithPasskey(
    input: AuthenticatePasskeyInput,
    current?: SessionWithUser | null,
    context?: CallContext,
  ): Promise<PasskeyAuthentication>;
  /** The user's passkeys (no key material), oldest first. */
  listPasskeys(userId: string): Promise<PasskeySummary[]>;
  /**
   * Renames one of the user's passkeys; `not_found` for an id that is not theirs. Audited
   * `passkey.renamed`.
   *
   * @example
   * await auth.api.renamePasskey(userId, passkeyId, { name: 'Work YubiKey' })
   */
  renamePasskey(
    userId: string,
    id: string,
    input: RenamePasskeyInput,
    context?: CallContext,
  ): Promise<PasskeySummary>;
  /**
   * Deletes one of the session user's passkeys. Needs a fresh authentication (within 5
   * minutes, `step_up_required` otherwise). Audited `passkey.deleted`.
   *
   * @example
   * await auth.api.deletePasskey(current.session, passkeyId)
   */
  deletePasskey(session: Session, id: string, context?: CallContext): Promise<void>;
  /**
   * The configured social/OIDC providers (`oauth.providers`), for "Sign in with …" buttons.
   *
   * @example
   * auth.api.listOAuthProviders() // [{ id: 'google', name: 'Google' }]
   */
  listOAuthProviders(): { id: string; name: string }[];
  /**
   * Starts a sign-in with a provider: the authorization URL (authorization code flow with
   * `state`, `nonce` for OIDC and an S256 PKCE challenge) and a `binding` value the caller must
   * set as a short-lived HttpOnly cookie of the browser (the flow's record, sealed in the
   * key-value store for at most 10 minutes, only completes with it). `redirectTo` must equal an
   * entry of the redirect allowlist (`redirect_not_allowed`). `intent: 'link'` adds the provider
   * to `current`'s user and needs an authentication of at most 10 minutes (`step_up_required`).
   * `oauth_provider_unknown` for an id not in `oauth.providers`.
   *
   * @example
   * const { authorizationUrl, binding } = await auth.api.startOAuth('google', { redirectTo: '/app' }, null)
   */
  startOAuth(
    provider: string,
    input: StartOAuthInput,
    current: SessionWithUser | null,
    context?: CallContext,
  ): Promise<OAuthStart>;
  /**
   * Completes a flow with the callback's query parameters and the browser's binding cookie: the
   * state is single use, the authorization response `iss` (RFC 9207) and the ID token's `iss`,
   * `aud` and `nonce` are checked, the code is exchanged with the PKCE verifier. Then the account
   * (provider, subject) signs its user in (a session with `amr: ['fed']`, or an MFA challenge when
   * the user has a second factor); a new account signs a new user up, or links to the user with
   * the email when `oauth.linking` allows it (`oauth_account_not_linked` otherwise). Errors:
   * `oauth_state_invalid`, `oauth_callback_invalid`, `oauth_provider_unavailable`,
   * `oauth_email_missing`, `user_suspended`; nothing is written on any of them. A `link` flow
   * needs `current`, the session of the user who started it (`unauthenticated` otherwise).
   *
   * @example
   * const result = await auth.api.completeOAuth('google', { params: url.searchParams, binding }, context)
   */
  completeOAuth(
    provider: string,
    input: { params: URLSearchParams; binding: string | null; current?: SessionWithUser | null },
    context?: CallContext,
  ): Promise<OAuthCompleted>;
  /**
   * The user's linked provider accounts, oldest first.
   *
   * @example
   * const accounts = await auth.api.listOAuthAccounts(userId)
   */
  listOAuthAccounts(userId: string): Promise<OAuthAccount[]>;
  /**
   * Unlinks one of the user's provider accounts (audited `oauth.account_unlinked`); `not_found`
   * when it is not theirs, `conflict` when it is the only way a user without a password signs in.
   *
   * @example
   * await auth.api.unlinkOAuthAccount(userId, accountId)
   */
  unlinkOAuthAccount(userId: string, accountId: string, context?: CallContext): Promise<void>;
}
