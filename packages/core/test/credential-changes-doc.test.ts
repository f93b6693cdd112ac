import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_CHANGES, type CredentialChangeRule } from '../src/sessions/index.js';

// docs/credentials.md prints the table of credential changes between two markers; this test
// renders it from the code's table and compares. `UPDATE_CREDENTIALS_DOC=1` rewrites the doc.

const DOC = fileURLToPath(new URL('../../../docs/credentials.md', import.meta.url));
const START = '<!-- credential-changes:start (generated from CREDENTIAL_CHANGES: see its test) -->';
const END = '<!-- credential-changes:end -->';

function age(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

function renderTable(): string {
  const rows = Object.entries(CREDENTIAL_CHANGES).map(([change, rule]: [string, CredentialChangeRule]) => {
    const routes = rule.routes.map((r) => `\`${r}\``).join(' · ');
    const methods = rule.methods ? rule.methods.map((m) => `\`${m}\``).join(', ') : 'any';
    return `| \`${change}\` | ${routes} | ${age(rule.maxAgeSeconds)} | ${methods} | ${rule.notice} |`;
  });
  return [
    '| change | routes | last authentication at most | by | the owner is mailed |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

describe('docs/credentials.md', () => {
  it('prints exactly the table of credential changes the code enforces', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect(start, `docs/credentials.md has no ${START}`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const printed = doc.slice(start + START.length, end).trim();
    const expected = renderTable();
    if (process.env.UPDATE_CREDENTIALS_DOC && printed !== expected) {
      writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${expected}\n${doc.slice(end)}`);
      return;
    }
    expect(printed).toBe(expected);
  });
});
