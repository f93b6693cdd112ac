/**
 * The operations a rate-limit policy can apply to. `http` is every request the HTTP handler
 * routes (keyed by `route`, `ip`…, and on session routes by `user` and `tenant` once the
 * session is known: see {@link namesCaller}), checked before the route runs; the others are the limited
 * operations, counted where they run, for HTTP and `auth.api.*` calls alike:
 * - `signIn`: password, passkey, social and second-factor sign-in, and step-up;
 * - `signUp`, `passwordChange`, `tenantCreate`;
 * - `emailLink`: mails asking for a link (reset, magic link, verification), against mail bombing;
 * - `tokenRefresh`: refresh tokens; `clientAuth`: M2M client authentication at the OAuth
 *   endpoints; `tokenExchange`: delegation and impersonation, per acting caller;
 * - `invitationLookup`: each invitation token looked up to preview or accept it, per client
 *   address, counted before the lookup;
 * - `apiKey`: each successful API key verification, per key (subject `apiKey:<id>`); no policy
 *   by default, and a key may name its own (`rateLimitPolicies`);
 * - `apiKeyAuth`: each API key verification that must read the database (a miss of the
 *   in-memory cache), per client address: keys sprayed from one address stop before they cost reads.
 */
export type RateLimitOperation =
  | 'http'
  | 'signIn'
  | 'signUp'
  | 'passwordChange'
  | 'tenantCreate'
  | 'emailLink'
  | 'tokenRefresh'
  | 'clientAuth'
  | 'tokenExchange'
  | 'invitationLookup'
  | 'apiKey'
  | 'apiKeyAuth';

/** The operations other than `http`: what the services count (see {@link RateLimitOperation}). */
export type RateLimitRuleName = Exclude<RateLimitOperation, 'http'>;

/**
 * What a policy counts by. A composite key (an array) counts each combination apart.
 * - `ip`: the client address (see `trustProxy`), an IPv6 address by its /64;
 * - `user`, `tenant`, `apiKey`, `client`: the id of the caller's user, tenant, API key, OAuth client;
 * - `route`: the route (`POST /login`), on `http` only;
 * - `identifier`: the account identifier typed at sign-in (the email), counted by a keyed hash,
 *   apart from the lockout's consecutive-failure counters;
 * - `subject`: what the operation counts by when the app says nothing else (the client IP for
 *   sign-in, the recipient for email links, the user for tenant creation… see `docs/rate-limits.md`).
 */
export type RateLimitKeyPart =
  | 'ip'
  | 'user'
  | 'tenant'
  | 'apiKey'
  | 'client'
  | 'route'
  | 'identifier'
  | 'subject';

/** What the store does when it cannot be reached: see {@link RateLimitPolicy.onStoreFailure}. */
export type StoreFailureMode = 'deny' | 'allow' | 'local';

/** One rate-limit policy, as data: `limit` requests per `periodSeconds` per key, by GCRA. */
export interface RateLimitPolicy {
  /** Shown to clients in `RateLimit-Policy` and `violated-policies`: `[A-Za-z0-9_.:-]`, ≤ 64. */
  name: string;
  /** The operations it applies to. */
  operations: readonly RateLimitOperation[];
  /** What it counts by; a request without every part of the key is not counted by this policy. */
  key: RateLimitKeyPart | readonly RateLimitKeyPart[];
  /** Requests per period. */
  limit: number;
  periodSeconds: number;
  /** Requests allowed at once (default `limit`): GCRA spreads the rest over the period. */
  burst?: number;
  /**
   * What one request costs, by operation name or, on `http`, by route (`'POST /login': 5`);
   * default 1, and 0 exempts it.
   */
  cost?: Readonly<Record<string, number>>;
  /** Evaluated and reported (a warning in the log), never enforced, never in headers. */
  shadow?: boolean;
  /**
   * When the shared store fails: `deny` answers 503 `storage_unavailable`, `allow` lets the
   * request through uncounted, `local` counts it in this process instead. Default `local` for
   * the credential operations (every one but `tenantCreate`, `apiKey` and `http`), else `allow`.
   */
  onStoreFailure?: StoreFailureMode;
}

/** A policy with every default filled in. */
export interface ResolvedRateLimitPolicy extends RateLimitPolicy {
  key: readonly RateLimitKeyPart[];
  burst: number;
  shadow: boolean;
  onStoreFailure: StoreFailureMode;
}

/** A legacy `rateLimit.rules` entry: `limit` per `windowSeconds` (now GCRA with a burst of `limit`). */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

const CREDENTIAL_OPERATIONS = new Set<RateLimitOperation>([
  'signIn',
  'signUp',
  'passwordChange',
  'emailLink',
  'tokenRefresh',
  'clientAuth',
  'tokenExchange',
  'invitationLookup',
  'apiKeyAuth',
]);

/** The default store-failure mode of a policy: `local` when it guards a credential operation. */
export function defaultStoreFailureMode(operations: readonly RateLimitOperation[]): StoreFailureMode {
  return operations.some((operation) => CREDENTIAL_OPERATIONS.has(operation)) ? 'local' : 'allow';
}

/**
 * The names of the default policies: one per limited operation but `apiKey` (keys are unlimited
 * unless the app configures a policy) and `apiKeyAuth` (whose policy is `apiKeyLookup`), and
 * `signInIdentifier`.
 */
export type DefaultPolicyName =
  | Exclude<RateLimitRuleName, 'apiKey' | 'apiKeyAuth'>
  | 'signInIdentifier'
  | 'apiKeyLookup';

/** The default policies not named after their operation, or not counted by its subject. */
const DEFAULT_POLICY_TARGETS: Partial<
  Record<DefaultPolicyName, { operation: RateLimitRuleName; key: RateLimitKeyPart }>
> = {
  signInIdentifier: { operation: 'signIn', key: 'identifier' },
  apiKeyLookup: { operation: 'apiKeyAuth', key: 'subject' },
};

/**
 * The default policies. Each limited operation has one named after it, counted by the
 * operation's subject; sign-in is also counted per account identifier (`signInIdentifier`), so a
 * spray over many addresses at one account is slowed apart from the lockout. API key lookups
 * (verifications the cache cannot answer) are counted per client address (`apiKeyLookup`).
 * A test walks this table over HTTP: each policy here must be applied where its operation runs.
 */
export const DEFAULT_RATE_LIMITS: Record<DefaultPolicyName, RateLimitRule> = {
  signIn: { limit: 20, windowSeconds: 60 },
  signInIdentifier: { limit: 10, windowSeconds: 60 },
  signUp: { limit: 10, windowSeconds: 600 },
  passwordChange: { limit: 10, windowSeconds: 600 },
  tenantCreate: { limit: 20, windowSeconds: 3600 },
  emailLink: { limit: 5, windowSeconds: 600 },
  tokenRefresh: { limit: 60, windowSeconds: 60 },
  clientAuth: { limit: 120, windowSeconds: 60 },
  tokenExchange: { limit: 60, windowSeconds: 60 },
  invitationLookup: { limit: 30, windowSeconds: 60 },
  apiKeyLookup: { limit: 600, windowSeconds: 60 },
};

/** The default policies, from {@link DEFAULT_RATE_LIMITS} with `rules` overriding limits. */
export function defaultPolicies(rules: Partial<Record<DefaultPolicyName, RateLimitRule>>): RateLimitPolicy[] {
  return (Object.entries(DEFAULT_RATE_LIMITS) as Array<[DefaultPolicyName, RateLimitRule]>).map(
    ([name, defaults]) => {
      const rule = rules[name] ?? defaults;
      const target = DEFAULT_POLICY_TARGETS[name];
      return {
        name,
        operations: [target?.operation ?? (name as RateLimitRuleName)],
        key: target?.key ?? 'subject',
        limit: rule.limit,
        periodSeconds: rule.windowSeconds,
      };
    },
  );
}

/** The key parts known only once the caller is: who signed in, for which tenant, with what credential. */
const CALLER_KEY_PARTS = new Set<RateLimitKeyPart>(['user', 'tenant', 'apiKey', 'client']);

/**
 * Whether a policy's key names the caller (`user`, `tenant`, `apiKey`, `client`). The HTTP
 * handler counts the other `http` policies before authentication, so that a flood of
 * unauthenticated requests is stopped before any session lookup, and these once it knows the
 * caller.
 */
export function namesCaller(policy: ResolvedRateLimitPolicy): boolean {
  return policy.key.some((part) => CALLER_KEY_PARTS.has(part));
}

/** Fills a policy's defaults. */
export function resolvePolicy(policy: RateLimitPolicy): ResolvedRateLimitPolicy {
  return {
    ...policy,
    key: typeof policy.key === 'string' ? [policy.key] : policy.key,
    burst: policy.burst ?? policy.limit,
    shadow: policy.shadow ?? false,
    onStoreFailure: policy.onStoreFailure ?? defaultStoreFailureMode(policy.operations),
  };
}
