import { z } from 'zod';
import { AuthError, type AuthErrorCode } from './errors.js';

// C0 controls but tab, line feed and carriage return; DEL; C1 controls; and UTF-16 halves without
// their other half. No field has a use for them, PostgreSQL refuses NUL in text outright (a 500
// before this check), and a lone surrogate cannot be encoded as UTF-8 (drivers silently replace it).
const FORBIDDEN_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LINE_BREAK = /[\t\n\r\u2028\u2029]/;
const CONTROL_OR_LINE_BREAK = new RegExp(`${FORBIDDEN_CHARACTER.source}|${LINE_BREAK.source}`, 'g');

/** The message of an input string holding a {@link hasForbiddenCharacter} character. */
export const FORBIDDEN_CHARACTER_MESSAGE = 'contains a control character or an unpaired surrogate';

/**
 * Whether `text` holds a character no input may carry: NUL and the other C0 controls except tab,
 * line feed and carriage return, DEL, the C1 controls, or an unpaired UTF-16 surrogate.
 */
export function hasForbiddenCharacter(text: string): boolean {
  return FORBIDDEN_CHARACTER.test(text);
}

/**
 * A one-line text field (a name, a label): trimmed, then bounded, with no line break or tab (a
 * tenant name ends up in email subjects and log lines). The forbidden characters are refused for
 * every input string by {@link parseInput}.
 *
 * @example
 * const createRoleInputSchema = z.object({ name: singleLineTextSchema(1, 100) })
 */
export function singleLineTextSchema(minLength: number, maxLength: number) {
  return z
    .string()
    .trim()
    .min(minLength)
    .max(maxLength)
    .refine((text) => !LINE_BREAK.test(text), 'must be a single line');
}

/**
 * A header value made safe to store or to send on (a user agent kept with a session, an email
 * header): control characters, line breaks and unpaired surrogates removed, then cut to
 * `maxLength`. Headers are cleaned rather than refused: a client cannot always choose them.
 */
export function cleanHeaderText(value: string, maxLength: number): string;
export function cleanHeaderText(value: string | null, maxLength: number): string | null;
export function cleanHeaderText(value: string | null, maxLength: number): string | null {
  if (value === null) return null;
  const clean = value.replace(CONTROL_OR_LINE_BREAK, ' ').replace(/ {2,}/g, ' ').trim();
  // cut on a code point boundary, so that the cut itself leaves no unpaired surrogate
  return Array.from(clean).slice(0, maxLength).join('');
}

/**
 * Parses with a zod schema; failures become an `AuthError` with field-level issues, coded
 * `invalid_request` unless the caller names a more specific code (e.g. `invalid_policy`). Before
 * the schema runs, every string of the input (keys included) is checked for forbidden characters
 * ({@link hasForbiddenCharacter}), so no field can carry one to storage.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: AuthErrorCode = 'invalid_request',
): z.output<S> {
  const forbidden = forbiddenCharacterIssues(input);
  if (forbidden.length > 0) throw invalidInput(code, forbidden);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  return throwIssues(code, result.error.issues);
}

function throwIssues(code: AuthErrorCode, zodIssues: z.core.$ZodIssue[]): never {
  const issues = zodIssues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message:
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw invalidInput(code, issues);
}

function invalidInput(code: AuthErrorCode, issues: Array<{ path: string; message: string }>): AuthError {
  return new AuthError(code, { detail: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues });
}

const MAX_PATH_KEYS = 16;

/**
 * The paths of strings (values or keys) holding forbidden characters; iterative, so hostile
 * nesting cannot overflow the stack, and stopping at the first few.
 */
function forbiddenCharacterIssues(input: unknown): Array<{ path: string; message: string }> {
  interface Node {
    value: unknown;
    key: string | null;
    parent: Node | null;
  }
  // paths are built from parent links only for an issue: copying them per node would make a
  // deeply nested body quadratic
  const pathOf = (node: Node): string => {
    const keys: string[] = [];
    for (let at: Node | null = node; at?.key != null; at = at.parent) keys.push(printable(at.key));
    keys.reverse();
    // a hostile nesting would otherwise make the problem body as large as the request
    if (keys.length > MAX_PATH_KEYS) keys.splice(MAX_PATH_KEYS, keys.length, '…');
    return keys.join('.') || '(body)';
  };
  const issues: Array<{ path: string; message: string }> = [];
  const stack: Node[] = [{ value: input, key: null, parent: null }];
  while (stack.length > 0 && issues.length < 5) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      if (hasForbiddenCharacter(value))
        issues.push({ path: pathOf(node), message: FORBIDDEN_CHARACTER_MESSAGE });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      const childNode = { value: child, key, parent: node };
      if (hasForbiddenCharacter(key))
        issues.push({ path: pathOf(childNode), message: `a key ${FORBIDDEN_CHARACTER_MESSAGE}` });
      else stack.push(childNode);
    }
  }
  return issues;
}

/** A key as it can be shown back in a problem body. */
function printable(key: string): string {
  return cleanHeaderText(key, 100);
}
