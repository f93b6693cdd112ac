/**
 * The one redaction every log line goes through (`createEventLogger` calls it): by field name,
 * and by the format of the value, because a token also travels inside a URL, an error message or
 * a stack trace, under a field name nobody thought to list.
 */

export const REDACTED = '[redacted]';

/**
 * Field names whose values are never logged, compared without case, `-` or `_`
 * (`Set-Cookie`, `refresh_token` and `refreshToken` are one name).
 */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = [
  'password',
  'newPassword',
  'currentPassword',
  'passwd',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'sessionToken',
  'secret',
  'clientSecret',
  'cookie',
  'setCookie',
  'authorization',
  'proxyAuthorization',
  'apiKey',
  'xApiKey',
  'privateKey',
  'pepper',
  'recoveryCode',
  'otp',
  'totp',
];

// Each pattern stands for one format Portcullis (or a standard) issues; the replacement keeps
// what tells a reader which kind of secret it was, never a character of the secret itself.
const VALUE_PATTERNS: readonly { pattern: RegExp; replacement: string }[] = [
  // `Authorization: Bearer …` / `Basic …`, wherever the header was copied into a string
  { pattern: /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]+/gi, replacement: `$1$2${REDACTED}` },
  // JWTs: a JSON header always base64url-encodes to `eyJ`; the signature is empty for `alg: none`
  { pattern: /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, replacement: REDACTED },
  // refresh tokens (`pc_rt_` + base64url) and any other `pc_…` secret
  { pattern: /\bpc_rt_[A-Za-z0-9_-]+/g, replacement: `pc_rt_${REDACTED}` },
  { pattern: /\bwhsec_[A-Za-z0-9+/=_-]+/g, replacement: `whsec_${REDACTED}` },
  // API keys `<prefix>_<environment>_<33 random + 6 checksum base62>`, any configured prefix
  {
    pattern: /\b([a-z][a-z0-9]{0,15})_([a-z][a-z0-9]{0,15})_[0-9A-Za-z]{39}(?![0-9A-Za-z])/g,
    replacement: `$1_$2_${REDACTED}`,
  },
  // long enough to be a secret; a key's display start (`pc_live_abcd…`) stays readable
  { pattern: /\bpc_[A-Za-z0-9_-]{16,}/g, replacement: `pc_${REDACTED}` },
  // secrets in a query string (email links, OAuth callbacks), whatever their format
  {
    pattern:
      /([?&#](?:token|code|state|access_token|refresh_token|id_token|client_secret|key|api_key|secret|password)=)[^&#\s"'<>]+/gi,
    replacement: `$1${REDACTED}`,
  },
  // session, email-link and invitation tokens: 32 random bytes as base64url (43 characters) and
  // nothing around them that base64url has; UUIDs (36) and SHA-256 hex (64) keep their length
  { pattern: /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, replacement: REDACTED },
];

// C0 controls (CR, LF, ESC starting ANSI sequences…), DEL, C1 controls (0x9b is a one-byte CSI)
// and the two Unicode line separators: a log line stays one line and a terminal shows it as is
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeControl(character: string): string {
  if (character === '\n') return '\\n';
  if (character === '\r') return '\\r';
  const code = character.charCodeAt(0);
  return code > 0xff
    ? `\\u${code.toString(16).padStart(4, '0')}`
    : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** A string with every known secret format replaced and control characters escaped. */
export function redactLogString(value: string): string {
  let out = value;
  for (const { pattern, replacement } of VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return out.replace(CONTROL_CHARACTERS, escapeControl);
}

function normalizeFieldName(name: string): string {
  return name.replace(/[-_]/g, '').toLowerCase();
}

export interface LogRedactionOptions {
  /**
   * More field names (any depth) or dotted paths from the top (`user.phone`) whose values are
   * replaced; compared without case, `-` or `_`.
   */
  redactFields?: readonly string[];
}

const MAX_DEPTH = 8;
const MAX_ARRAY_ITEMS = 100;

/**
 * Makes the redactor for a set of options: a deep copy of `value` with redacted fields replaced,
 * secrets inside strings scrubbed (keys included), errors turned into `{ name, message, stack }`,
 * cycles and depth cut. It never throws: a getter that throws becomes a placeholder.
 *
 * @example
 * const redact = createLogRedactor({ redactFields: ['phone'] });
 * redact({ url: 'https://app/verify?token=abc', phone: '+33…' });
 * // → { url: 'https://app/verify?token=[redacted]', phone: '[redacted]' }
 */
export function createLogRedactor(options: LogRedactionOptions = {}): (value: unknown) => unknown {
  const names = new Set<string>();
  const paths = new Set<string>();
  for (const field of [...DEFAULT_REDACTED_FIELDS, ...(options.redactFields ?? [])]) {
    const normalized = field.split('.').map(normalizeFieldName).join('.');
    (normalized.includes('.') ? paths : names).add(normalized);
  }

  function visit(value: unknown, path: string, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return redactLogString(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[truncated]';
    seen.add(value);
    try {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (value instanceof Error) {
        const described: Record<string, unknown> = { name: value.name, message: value.message };
        if (value.stack) described.stack = value.stack;
        if ('code' in value) described.code = value.code;
        if (value.cause !== undefined) described.cause = value.cause;
        return visitObject(described, path, depth, seen);
      }
      if (Array.isArray(value)) {
        const items = value.slice(0, MAX_ARRAY_ITEMS).map((item) => visit(item, path, depth + 1, seen));
        if (value.length > MAX_ARRAY_ITEMS) items.push(`[${value.length - MAX_ARRAY_ITEMS} more]`);
        return items;
      }
      if (value instanceof Map) return visitObject(Object.fromEntries(value), path, depth, seen);
      if (value instanceof Set) return visit([...value], path, depth, seen);
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '[binary]';
      return visitObject(value as Record<string, unknown>, path, depth, seen);
    } finally {
      seen.delete(value);
    }
  }

  function visitObject(value: Record<string, unknown>, path: string, depth: number, seen: WeakSet<object>) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const name = normalizeFieldName(key);
      const childPath = path === '' ? name : `${path}.${name}`;
      let child: unknown;
      try {
        child = value[key];
      } catch {
        child = '[unreadable]';
      }
      // defined, not assigned: a key named `__proto__` stays a plain field of the copy
      Object.defineProperty(out, redactLogString(key), {
        value: names.has(name) || paths.has(childPath) ? REDACTED : visit(child, childPath, depth + 1, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  return (value) => visit(value, '', 0, new WeakSet());
}
