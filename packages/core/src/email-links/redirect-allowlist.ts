import { z } from 'zod';

/**
 * Whether `target` may be redirected to: only when it equals an allowlist entry character for
 * character. Nothing is parsed, decoded or normalized, so none of the tricks that make a URL
 * parser and a browser disagree (`//evil.com`, `/\evil.com`, `https://app@evil.com`,
 * `%2F%2Fevil.com`, mixed case, trailing dots…) can turn into a match.
 *
 * @example
 * isAllowedRedirect('/dashboard', ['/dashboard']) // true
 * isAllowedRedirect('/dashboard/', ['/dashboard']) // false: exact match only
 */
export function isAllowedRedirect(target: string, allowlist: readonly string[]): boolean {
  return allowlist.includes(target);
}

/**
 * Why an allowlist entry is unsafe to ever redirect to, or undefined when it is fine: an entry is
 * an absolute `http(s)` URL without credentials, or a path starting with exactly one `/`.
 */
export function redirectEntryProblem(entry: string): string | undefined {
  // control characters and backslashes are read differently by browsers and servers
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\\s]/.test(entry)) return 'must not contain spaces, control characters or "\\"';
  if (entry.startsWith('/')) {
    return entry.startsWith('//') ? 'a path must start with exactly one "/"' : undefined;
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'must be an absolute http(s) URL or a path starting with "/"';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

/** An allowlist as configured: every entry checked by {@link redirectEntryProblem}. */
export const redirectAllowlistSchema = z.array(
  z.string().superRefine((entry, ctx) => {
    const problem = redirectEntryProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);
