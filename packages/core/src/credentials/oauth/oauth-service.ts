import * as oauth from 'oauth4webapi';
import { recordChange } from '../../audit/index.js';
import type { CallContext } from '../../call-context.js';
import { constantTimeEqual, generateToken, sha256Hex } from '../../crypto/random.js';
import type { SealedBox } from '../../crypto/sealed-box.js';
import { uuidv7 } from '../../crypto/uuid.js';
import { claimAddress, isAllowedRedirect } from '../../email-links/index.js';
import { AuthError, isAuthError } from '../../errors.js';
import type { EventLogger } from '../../logging/event-logger.js';
import type { Clock } from '../../ports/clock.js';
import type { KeyValue } from '../../ports/key-value.js';
import type { Storage, StorageStores } from '../../ports/storage.js';
import type { RateLimiter } from '../../rate-limit/index.js';
import {
  credentialChangeEvent,
  requireFreshAuthentication,
  type Session,
  type SessionService,
  type SessionWithUser,
} from '../../sessions/index.js';
import type { MfaRequired, SignedIn, SignInService } from '../../sign-in/index.js';
import type { AuthorizationCodeService, NativeClient } from '../../tokens/index.js';
import type { ResolvedSignupOptions, UserService } from '../../users/index.js';
import { emailSchema } from '../../users/index.js';
import { normalizeEmail, type User } from '../../users/users.js';
import { parseInput } from '../../validation.js';
import {
  authorizationErrorParams,
  authorizationResponseUri,
  type NativeAuthorizationRequest,
  nativeRequestOf,
} from './native-authorization.js';
import type { OAuthAccount, OAuthProfile, OAuthStart } from './oauth.js';
import { createOAuthClient, type OAuthClient } from './oauth-client.js';
import type { ResolvedOAuthOptions } from './oauth-options.js';
import { type StartOAuthInput, startOAuthInputSchema } from './oauth-schemas.js';

/**
 * The `amr` value of a session opened by a provider. RFC 8176 has none for federated login;
 * `fed` is the one Microsoft Entra ID uses for it.
 */
export const OAUTH_AMR = 'fed';

/** Where the browser lands when the flow named no `redirectTo`. */
const DEFAULT_REDIRECT = '/';

/** What a started flow remembers, sealed, in the key-value store under the hash of its `state`. */
interface OAuthStateRecord {
  provider: string;
  codeVerifier: string;
  /** Null for plain OAuth 2.0 providers. */
  nonce: string | null;
  redirectTo: string;
  intent: 'login' | 'link';
  /** The signed-in user a `link` flow adds the account to. */
  userId: string | null;
  /** SHA-256 of the binding cookie's value: the browser that started is the one that finishes. */
  bindingHash: string;
  /** A native app's sign-in: it ends at the app's redirect URI. Absent for a browser's. */
  native?: NativeAuthorizationRequest | null;
}

/** A taken flow: the callback's parameters, its state and the record stored under it. */
interface FlowInput {
  params: URLSearchParams;
  state: string;
  record: OAuthStateRecord;
}

/** A finished flow: signed in (or up), a pending second factor, or a provider linked. */
export type OAuthCompleted =
  | (SignedIn & { outcome: 'signed_in' | 'signed_up'; redirectTo: string })
  | (MfaRequired & { redirectTo: string })
  | { outcome: 'linked'; user: User; account: OAuthAccount; redirectTo: string }
  /**
   * A native app's sign-in (started with `client_id`): `redirectTo` is the authorization response
   * at the app's redirect URI, with `code` (for `POST /oauth/token`), `mfa_challenge` and
   * `methods` (a second factor is due: `POST /mfa/verify` with `client_id`), or `error`; and
   * the app's `state`. No session cookie is set.
   */
  | { outcome: 'native'; redirectTo: string };

/** The social/OIDC sign-in operations of `auth.api`. */
export interface OAuthApi {
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
   * `oauth_provider_unknown` for an id not in `oauth.providers`. A native app (RFC 8252) adds
   * `client_id` (one of `refreshTokens.nativeClients`), one of its `redirect_uri`s, an S256
   * `code_challenge` and its `state` (`invalid_request` otherwise): the flow then ends at that
   * redirect URI (see {@link OAuthApi.completeOAuth}).
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
   * A native app's flow never throws once its state is taken: it answers `{ outcome: 'native',
   * redirectTo }`, the authorization response at the app's redirect URI with a one-time `code`
   * (bound to the new session, the client, the redirect URI and the PKCE challenge; 60 s; for
   * `POST /oauth/token`), the pending second factor's `mfa_challenge` and `methods`, or `error`.
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
   * Unlinks one of the session user's provider accounts (audited `oauth.account_unlinked`; the
   * owner is mailed). Needs an authentication at most 5 minutes old (`step_up_required`).
   * `not_found` when it is not theirs, `conflict` when it is the only way a user without a
   * password signs in.
   *
   * @example
   * await auth.api.unlinkOAuthAccount(current.session, accountId)
   */
  unlinkOAuthAccount(session: Session, accountId: string, context?: CallContext): Promise<void>;
}

/** The OAuth domain: its `auth.api` operations. */
export interface OAuthService {
  api: OAuthApi;
}

/** What the OAuth service uses. */
export interface OAuthServiceDeps {
  storage: Storage;
  clock: Clock;
  /** Holds started flows (sealed, under the hash of their `state`) until their callback. */
  keyValue: KeyValue;
  rateLimiter: RateLimiter;
  logger: EventLogger;
  users: UserService;
  sessions: SessionService;
  signIn: SignInService;
  /** Seals the flows' records (PKCE verifier, nonce) at rest. */
  stateBox: SealedBox;
  /** Native apps' sign-ins end with a one-time code bound to the new session. */
  authorizationCodes: Pick<AuthorizationCodeService, 'issue'>;
}

export interface OAuthServiceOptions {
  oauth: ResolvedOAuthOptions;
  signup: ResolvedSignupOptions;
  /** With `basePath`, where the callback routes are mounted. */
  baseURL: URL;
  basePath: string;
  /** The app's name the owner's notices are signed with. */
  appName: string;
  /** `refreshTokens.nativeClients`: the apps that may start a sign-in with `client_id`. */
  nativeClients: readonly NativeClient[];
}

export function createOAuthService(
  deps: OAuthServiceDeps,
  { oauth: settings, signup, baseURL, basePath, appName, nativeClients }: OAuthServiceOptions,
): OAuthService {
  const { storage, clock, keyValue, rateLimiter, logger, users, sessions, stateBox, authorizationCodes } =
    deps;
  const stateKey = (state: string) => `oauth:state:${sha256Hex(state)}`;
  const clients = new Map<string, OAuthClient>();
  const callbackBase = new URL(basePath, baseURL).href.replace(/\/$/, '');

  function providerOf(id: string) {
    const provider = Object.hasOwn(settings.providers, id) ? settings.providers[id] : undefined;
    if (!provider) throw new AuthError('oauth_provider_unknown', { detail: `no provider "${id}"` });
    let client = clients.get(id);
    if (!client) clients.set(id, (client = createOAuthClient(id, provider, logger)));
    return { provider, client };
  }

  /** A provider's display name, or its id when it is no longer configured. */
  const providerName = (id: string) =>
    Object.hasOwn(settings.providers, id) ? (settings.providers[id]?.name ?? id) : id;

  const redirectUriOf = (id: string) => `${callbackBase}/oauth/${encodeURIComponent(id)}/callback`;

  async function limit(context: CallContext, subject: string) {
    const state = await rateLimiter.consume('signIn', context.ip ? `ip:${context.ip}` : subject, {
      ip: context.ip,
    });
    if (state) (context.rateLimits ??= []).push(state);
  }

  /** Reads, checks and takes the flow's record: one browser, one provider, one use. */
  async function takeState(providerId: string, params: URLSearchParams, binding: string | null) {
    const state = params.get('state');
    if (!state || state.length > 256) throw new AuthError('oauth_state_invalid', { detail: 'no state' });
    if (!binding) {
      throw new AuthError('oauth_state_invalid', { detail: 'this browser did not start the sign-in' });
    }
    const key = stateKey(state);
    const sealed = await keyValue.get(key);
    if (!sealed) throw new AuthError('oauth_state_invalid', { detail: 'unknown, expired or used state' });
    let record: OAuthStateRecord;
    try {
      record = JSON.parse(stateBox.open(sealed)) as OAuthStateRecord;
    } catch (error) {
      throw new AuthError('oauth_state_invalid', { detail: 'unreadable state', cause: error });
    }
    // checked before the record is taken: a wrong browser or provider does not burn the flow
    if (!constantTimeEqual(record.bindingHash, sha256Hex(binding))) {
      throw new AuthError('oauth_state_invalid', { detail: 'this browser did not start the sign-in' });
    }
    if (record.provider !== providerId) {
      throw new AuthError('oauth_state_invalid', { detail: 'the sign-in was started with another provider' });
    }
    // single use: of concurrent callbacks with one state only the one that takes it goes on
    if ((await keyValue.getAndDelete(key)) === null) {
      throw new AuthError('oauth_state_invalid', { detail: 'unknown, expired or used state' });
    }
    return { state, record };
  }

  /**
   * Whether a new provider account may be linked to the user with its email. An unverified user
   * may be too: the link is then the address's first proof, which claims the account.
   */
  function mayLinkByEmail(providerId: string, profile: OAuthProfile): boolean {
    return (
      settings.linking.mode === 'verified-email' &&
      settings.linking.trustedProviders.includes(providerId) &&
      profile.emailVerified
    );
  }

  /**
   * Whether the provider proves the user's still unverified address: it vouches for an email
   * equal to it. Such a sign-in is the address's first proof, which removes whatever was set
   * before it (`claimAddress`): a squatter who registered the owner's address first gets nothing.
   */
  function provesAddress(profile: OAuthProfile, user: User): boolean {
    return (
      user.emailVerifiedAt === null &&
      profile.emailVerified &&
      profile.email !== null &&
      normalizeEmail(profile.email) === normalizeEmail(user.email)
    );
  }

  function newAccount(userId: string, providerId: string, profile: OAuthProfile): OAuthAccount {
    const now = clock.now();
    return {
      id: uuidv7(now.getTime()),
      userId,
      provider: providerId,
      subject: profile.subject,
      email: profile.email?.slice(0, 320) ?? null,
      createdAt: now,
    };
  }

  async function linkAccount(
    tx: StorageStores,
    user: User,
    account: OAuthAccount,
    via: 'explicit' | 'verified_email' | 'signup',
    context: CallContext,
  ) {
    try {
      await tx.oauthAccounts.create(account);
    } catch (error) {
      if (isAuthError(error, 'conflict')) {
        throw new AuthError('conflict', {
          detail: 'this provider account is linked to another user',
          cause: error,
        });
      }
      throw error;
    }
    const data = { provider: account.provider, accountId: account.id, via };
    await recordChange(tx, clock, context, {
      tenantId: user.tenantId,
      action: 'oauth.account_linked',
      actor: { type: 'user', id: user.id },
      target: { type: 'user', id: user.id },
      data,
      // a sign-up through the provider is how the account began, not a change to tell of
      event:
        via === 'signup'
          ? data
          : credentialChangeEvent(
              'oauth.link',
              { user, appName, at: clock.now(), detail: `Provider: ${providerName(account.provider)}` },
              data,
            ),
    });
  }

  /** Signs a known user in: a session with `amr: ['fed']`, or the MFA challenge their factor asks. */
  async function signIn(
    user: User,
    account: OAuthAccount,
    redirectTo: string,
    context: CallContext,
    options: { linkFirst?: 'verified_email'; provesAddress?: boolean } = {},
  ): Promise<OAuthCompleted> {
    const { linkFirst, provesAddress: firstProof = false } = options;
    // an account linked already was linked by the user's own session (explicitly: linking by
    // email and sign-up verify the address), so the one who set the account up controls the
    // address: its credentials stay. A new link by email keeps nothing but itself.
    const keep = linkFirst
      ? { oauthAccountId: account.id }
      : { oauthAccountId: account.id, credentials: true };
    const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };
    const result = await deps.signIn.completeSignIn({
      user,
      method: OAUTH_AMR,
      context,
      // the first proof of the address removes every second factor set before it: none is asked
      ...(firstProof ? { hasSecondFactor: false } : {}),
      // the claim (if any), the link (if any) and the sign-in's audit entry commit with its outcome
      async commit(tx, outcome) {
        if (firstProof) {
          const claimed = await claimAddress(tx, clock, context, {
            user,
            email: user.email,
            via: 'oauth',
            keep,
            data: { provider: account.provider },
          });
          // verified by another proof since it was read: its second factors were not asked for
          if (!claimed) {
            throw new AuthError('conflict', { detail: 'the address was verified meanwhile: sign in again' });
          }
        }
        if (linkFirst) {
          // linking by email before the second factor is proven would be a change nobody
          // authenticated: such users sign in and link the provider explicitly
          if (outcome === 'mfa_required') throw new AuthError('oauth_account_not_linked');
          await linkAccount(tx, user, account, linkFirst, userContext);
        }
        await recordSignIn(tx, user, account, outcome, userContext);
      },
    });
    if ('mfaRequired' in result) return { ...result, redirectTo };
    return { outcome: 'signed_in', ...result, redirectTo };
  }

  function recordSignIn(
    tx: StorageStores,
    user: User,
    account: OAuthAccount,
    result: 'session' | 'mfa_required',
    context: CallContext,
  ) {
    return recordChange(tx, clock, context, {
      tenantId: user.tenantId,
      action: 'oauth.signed_in',
      target: { type: 'user', id: user.id },
      data: { provider: account.provider, accountId: account.id, result },
    });
  }

  /** The flow after its state was taken: the provider's answer, then sign-in, sign-up or link. */
  async function finish(
    client: OAuthClient,
    providerId: string,
    { params, state, record, current }: FlowInput & { current: SessionWithUser | null },
    context: CallContext,
  ): Promise<OAuthCompleted> {
    await limit(context, `oauth:${providerId}`);
    const profile = await client.completeCallback({
      redirectUri: redirectUriOf(providerId),
      params,
      state,
      nonce: record.nonce,
      codeVerifier: record.codeVerifier,
    });
    if (!profile.subject || profile.subject.length > 255) {
      throw new AuthError('oauth_callback_invalid', { detail: 'the provider named no usable subject' });
    }
    // checked again at the end: the allowlist may have shrunk while the person was away
    const redirectTo = isAllowedRedirect(record.redirectTo, settings.redirectAllowlist)
      ? record.redirectTo
      : DEFAULT_REDIRECT;
    const found = await storage.oauthAccounts.findByProviderSubject(providerId, profile.subject);

    if (record.intent === 'link') {
      // still signed in as the user who asked: not someone who signed in since on this browser
      if (!current || current.user.id !== record.userId) {
        throw new AuthError('unauthenticated', { detail: 'sign in as the user who started linking' });
      }
      const user = await storage.users.findById(current.user.id);
      if (!user || user.status !== 'active') throw new AuthError('unauthenticated');
      if (found) {
        if (found.user.id !== user.id) {
          throw new AuthError('conflict', { detail: 'this provider account is linked to another user' });
        }
        return { outcome: 'linked', user, account: found.account, redirectTo };
      }
      const account = newAccount(user.id, providerId, profile);
      await storage.transaction((tx) => linkAccount(tx, user, account, 'explicit', context));
      return { outcome: 'linked', user, account, redirectTo };
    }

    if (found) {
      return signIn(found.user, found.account, redirectTo, context, {
        provesAddress: provesAddress(profile, found.user),
      });
    }
    // an address the provider sends is held to the rules of a typed one
    const email = profile.email === null ? undefined : emailSchema.safeParse(profile.email).data;
    if (!email) {
      throw new AuthError('oauth_email_missing', { detail: 'the provider shared no usable email address' });
    }
    const existing = await storage.users.findByEmail(null, normalizeEmail(email));
    if (existing) {
      if (!mayLinkByEmail(providerId, profile)) throw new AuthError('oauth_account_not_linked');
      // an unverified address is proven by the provider here: the link claims the account
      return signIn(existing, newAccount(existing.id, providerId, profile), redirectTo, context, {
        linkFirst: 'verified_email',
        provesAddress: provesAddress(profile, existing),
      });
    }
    if (!signup.enabled) throw new AuthError('forbidden', { detail: 'sign-up is disabled' });
    // an address the provider does not vouch for (Microsoft's, which any directory admin sets)
    // must not create an account: its owner could later take it over by a magic link or a
    // reset while the provider's account stays linked to it
    if (!profile.emailVerified) throw new AuthError('oauth_email_unverified');
    const created = await storage.transaction(async (tx) => {
      const user = await users.insertUser(
        tx,
        {
          email: profile.email!,
          name: profile.name?.slice(0, 200) ?? null,
          emailVerified: profile.emailVerified,
        },
        context,
      );
      const userContext: CallContext = { ...context, actor: { type: 'user', id: user.id } };
      const account = newAccount(user.id, providerId, profile);
      await linkAccount(tx, user, account, 'signup', userContext);
      await recordSignIn(tx, user, account, 'session', userContext);
      const issued = await sessions.createSession(tx, {
        user,
        tenantId: null,
        method: OAUTH_AMR,
        context: userContext,
      });
      return { user, ...issued };
    });
    return { outcome: 'signed_up', ...created, redirectTo };
  }

  /**
   * A native app's flow ends at its redirect URI, whatever happens once the state is taken (its
   * redirect URI was checked at the start): with a code bound to the new session, the pending
   * second factor's challenge, or the error (RFC 6749 §4.1.2.1).
   */
  async function finishNative(
    native: NativeAuthorizationRequest,
    client: OAuthClient,
    providerId: string,
    flow: FlowInput,
    context: CallContext,
  ): Promise<OAuthCompleted> {
    let params: Record<string, string>;
    try {
      const result = await finish(client, providerId, { ...flow, current: null }, context);
      if ('mfaRequired' in result) {
        params = { mfa_challenge: result.challengeId, methods: result.methods.join(',') };
      } else if (result.outcome === 'signed_in' || result.outcome === 'signed_up') {
        try {
          const code = await authorizationCodes.issue({
            sessionToken: result.token,
            clientId: native.clientId,
            redirectUri: native.redirectUri,
            codeChallenge: native.codeChallenge,
          });
          params = { code };
        } catch (error) {
          // nobody will ever hold this session: it is ended rather than left behind
          await sessions.api.signOut(result.token, context).catch(() => {});
          throw error;
        }
      } else {
        throw new AuthError('invalid_request', { detail: 'a native sign-in links nothing' });
      }
    } catch (error) {
      if (!isAuthError(error)) {
        logger.error('portcullis.oauth.native_sign_in_failed', {
          provider: providerId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      params = authorizationErrorParams(error);
    }
    return { outcome: 'native', redirectTo: authorizationResponseUri(native, params) };
  }

  const api: OAuthApi = {
    listOAuthProviders() {
      return Object.entries(settings.providers).map(([id, provider]) => ({ id, name: provider.name }));
    },

    async startOAuth(providerId, rawInput, current, context = {}) {
      const input = parseInput(startOAuthInputSchema, rawInput);
      const { provider, client } = providerOf(providerId);
      const native = nativeRequestOf(input, nativeClients);
      const redirectTo = input.redirectTo ?? DEFAULT_REDIRECT;
      if (
        input.redirectTo !== undefined &&
        !isAllowedRedirect(input.redirectTo, settings.redirectAllowlist)
      ) {
        throw new AuthError('redirect_not_allowed', {
          detail: 'redirectTo must equal an entry of the redirect allowlist exactly',
        });
      }
      // each start stores a record for minutes: bounded like sign-in attempts
      await limit(context, `oauth:${providerId}`);
      const intent = input.intent ?? 'login';
      if (intent === 'link') {
        if (!current) throw new AuthError('unauthenticated', { detail: 'sign in to link a provider' });
        requireFreshAuthentication(current.session, 'oauth.link', clock.now());
      }
      const state = generateToken(32);
      const binding = generateToken(32);
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const record: OAuthStateRecord = {
        provider: providerId,
        codeVerifier,
        nonce: provider.protocol === 'oidc' ? generateToken(32) : null,
        redirectTo,
        intent,
        userId: intent === 'link' ? current!.user.id : null,
        bindingHash: sha256Hex(binding),
        native,
      };
      const authorizationUrl = await client.authorizationUrl({
        redirectUri: redirectUriOf(providerId),
        state,
        nonce: record.nonce,
        codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      });
      // only the hash of `state` is a key, and the record (verifier, nonce) is sealed
      await keyValue.set(stateKey(state), stateBox.seal(JSON.stringify(record)), {
        ttlSeconds: settings.stateTtlSeconds,
      });
      return { authorizationUrl, binding, expiresInSeconds: settings.stateTtlSeconds };
    },

    async completeOAuth(providerId, { params, binding, current = null }, context = {}) {
      const { client } = providerOf(providerId);
      const { state, record } = await takeState(providerId, params, binding);
      if (!record.native) return finish(client, providerId, { params, state, record, current }, context);
      return finishNative(record.native, client, providerId, { params, state, record }, context);
    },

    listOAuthAccounts(userId) {
      return storage.oauthAccounts.listByUser(userId);
    },

    async unlinkOAuthAccount(session, accountId, context = {}) {
      requireFreshAuthentication(session, 'oauth.unlink', clock.now());
      const { userId } = session;
      const user = await storage.users.findById(userId);
      if (!user) throw new AuthError('not_found', { detail: 'no such account' });
      await storage.transaction(async (tx) => {
        const accounts = await tx.oauthAccounts.listByUser(userId);
        const account = accounts.find((a) => a.id === accountId);
        if (!account) throw new AuthError('not_found', { detail: 'no such account' });
        if (accounts.length === 1 && !(await tx.passwords.findHash(userId))) {
          throw new AuthError('conflict', {
            detail: 'this is the only way to sign in: set a password or link another provider first',
          });
        }
        if (!(await tx.oauthAccounts.delete(userId, accountId))) {
          throw new AuthError('not_found', { detail: 'no such account' });
        }
        const data = { provider: account.provider, accountId };
        await recordChange(tx, clock, context, {
          tenantId: user.tenantId,
          action: 'oauth.account_unlinked',
          target: { type: 'user', id: userId },
          data,
          event: credentialChangeEvent(
            'oauth.unlink',
            { user, appName, at: clock.now(), detail: `Provider: ${providerName(account.provider)}` },
            data,
          ),
        });
      });
    },
  };

  return { api };
}
