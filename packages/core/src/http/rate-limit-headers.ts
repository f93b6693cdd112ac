import type { PolicyOutcome, RateLimitState } from '../rate-limit/index.js';

/**
 * The `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers for the
 * policies that counted a request: structured-field lists of items, each a quoted policy name
 * with its quota (`q`), window (`w`), remaining (`r`), reset (`t`) and partition key (`pk`, a
 * byte sequence: a truncated keyed hash, never the raw address or id). Shadow policies are not
 * announced. A policy counted twice in one request (two subjects) reports its tightest verdict.
 *
 * @example
 * // RateLimit-Policy: "signIn";q=20;w=60;pk=:Xb0…:
 * // RateLimit: "signIn";r=19;t=3;pk=:Xb0…:
 */
export function rateLimitHeaders(
  states: readonly RateLimitState[],
): { policy: string; limit: string } | null {
  const tightest = new Map<string, PolicyOutcome>();
  for (const outcome of states.flatMap((state) => state.policies)) {
    if (outcome.shadow) continue;
    const seen = tightest.get(outcome.policy);
    if (!seen || outcome.remaining < seen.remaining || (!outcome.allowed && seen.allowed))
      tightest.set(outcome.policy, outcome);
  }
  if (tightest.size === 0) return null;
  const outcomes = [...tightest.values()];
  // policy names are validated as [A-Za-z0-9_.:-]: safe inside an sf-string as they are
  return {
    policy: outcomes
      .map((o) => `"${o.policy}";q=${o.limit};w=${o.periodSeconds};pk=:${o.partitionKey}:`)
      .join(', '),
    limit: outcomes
      .map((o) => `"${o.policy}";r=${o.remaining};t=${o.resetSeconds};pk=:${o.partitionKey}:`)
      .join(', '),
  };
}
