import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES } from '../src/errors.js';
import { problemType, STATUS_BY_CODE, TITLE_BY_CODE } from '../src/http/status-codes.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);

function renderErrorDocs(): string {
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from packages/core/src/errors.ts and http/status-codes.ts by',
    '     `UPDATE_ERROR_DOCS=1 pnpm vitest run packages/core/test/error-docs.test.ts`; do not edit. -->',
    '',
    'Every error Portcullis answers is `application/problem+json` (RFC 9457) with a stable `code`,',
    'a `title`, the HTTP `status`, a `requestId`, often a `detail`, and a `type` that links to the',
    "code's entry below. Branch on `code` (server side: `isAuthError(error, 'code')`), never on",
    '`title` or `detail`, which may change. Codes are only ever added.',
    '',
    '| code | status | title |',
    '|---|---:|---|',
    ...AUTH_ERROR_CODES.map(
      (code) => `| [\`${code}\`](#${code}) | ${STATUS_BY_CODE[code]} | ${TITLE_BY_CODE[code]} |`,
    ),
    '',
  ];
  for (const code of AUTH_ERROR_CODES) {
    lines.push(`## ${code}`, '', `${STATUS_BY_CODE[code]} · ${TITLE_BY_CODE[code]}`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

// docs/errors.md is what a problem's `type` links to: it must list every code with the status and
// title the handler answers, so it is generated from the same tables and pinned here.
describe('docs/errors.md', () => {
  it('lists every error code with its status and title, as the tables say', () => {
    const rendered = renderErrorDocs();
    if (process.env.UPDATE_ERROR_DOCS === '1') writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });

  it("links each problem's type to the code's heading in docs/errors.md", () => {
    expect(problemType('rate_limited')).toMatch(/\/docs\/errors\.md#rate_limited$/);
  });
});
