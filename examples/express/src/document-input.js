import { AuthError } from '@portcullis/core';

export const VISIBILITIES = ['tenant', 'private'];
const TITLE_MAX = 200;
const BODY_MAX = 20_000;

/** Field rules: each returns a problem message, or undefined when the value is fine. */
const FIELDS = {
  title: (v) =>
    typeof v !== 'string' || v.trim() === ''
      ? 'must be a non-empty string'
      : v.length > TITLE_MAX
        ? `must be at most ${TITLE_MAX} characters`
        : undefined,
  body: (v) =>
    typeof v !== 'string'
      ? 'must be a string'
      : v.length > BODY_MAX
        ? `must be at most ${BODY_MAX} characters`
        : undefined,
  visibility: (v) => (VISIBILITIES.includes(v) ? undefined : `must be one of ${VISIBILITIES.join(', ')}`),
};

/**
 * Checks a JSON body against the document fields and throws `invalid_request` (400
 * problem+json) listing every problem, in the shape Portcullis's own validation uses: unknown
 * fields are refused rather than ignored.
 *
 * @param {unknown} body
 * @param {{ required: string[] }} options fields that must be present
 * @returns {{ title?: string, body?: string, visibility?: 'tenant' | 'private' }}
 */
function parseFields(body, { required }) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AuthError('invalid_request', {
      detail: 'the body must be a JSON object',
      issues: [{ path: '(body)', message: 'must be a JSON object' }],
    });
  }
  const issues = [];
  for (const [key, value] of Object.entries(body)) {
    const message = Object.hasOwn(FIELDS, key) ? FIELDS[key](value) : 'is not a known field';
    if (message) issues.push({ path: key, message });
  }
  for (const key of required) {
    if (!Object.hasOwn(body, key)) issues.push({ path: key, message: 'is required' });
  }
  if (Object.keys(body).length === 0 && required.length === 0) {
    issues.push({ path: '(body)', message: `name at least one of ${Object.keys(FIELDS).join(', ')}` });
  }
  if (issues.length > 0) {
    throw new AuthError('invalid_request', {
      detail: issues.map((i) => `${i.path} ${i.message}`).join('; '),
      issues,
    });
  }
  return body;
}

/**
 * The body of `POST /api/tenants/:tenantId/documents`: `{ title, body?, visibility? }`.
 *
 * @param {unknown} body
 * @returns {{ title: string, body: string, visibility: 'tenant' | 'private' }}
 */
export function parseNewDocument(body) {
  const fields = parseFields(body, { required: ['title'] });
  return { title: fields.title.trim(), body: fields.body ?? '', visibility: fields.visibility ?? 'tenant' };
}

/**
 * The body of `PATCH /api/tenants/:tenantId/documents/:documentId`: any of title, body,
 * visibility, at least one.
 *
 * @param {unknown} body
 */
export function parseDocumentPatch(body) {
  const fields = parseFields(body, { required: [] });
  return fields.title === undefined ? fields : { ...fields, title: fields.title.trim() };
}
