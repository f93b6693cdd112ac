import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testAuth } from './support.js';

const FIXTURE = new URL('./fixtures/openapi-document.json', import.meta.url);

// The routes, `auth.api` and the OpenAPI document are derived from the same declarations. Moving
// code between files must not change what a client generated from the document sees: this pins
// the whole document. A deliberate change of the HTTP surface regenerates the fixture with
// `UPDATE_OPENAPI_FIXTURE=1 pnpm vitest run packages/core/test/openapi-document.test.ts`.
describe('OpenAPI document', () => {
  it('is exactly the pinned document', () => {
    const { auth } = testAuth();
    const document = JSON.parse(JSON.stringify(auth.openApiDocument()));
    if (process.env.UPDATE_OPENAPI_FIXTURE === '1') {
      writeFileSync(FIXTURE, `${JSON.stringify(document, null, 2)}\n`);
    }
    expect(document).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
  });

  it('names the response shapes as components, so generated clients get named types', () => {
    const { auth } = testAuth();
    const document = auth.openApiDocument() as {
      components: { schemas: Record<string, unknown> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'User',
        'Session',
        'Tenant',
        'Member',
        'Role',
        'Policy',
        'Invitation',
        'Problem',
      ]),
    );
    const refs = JSON.stringify(document.paths).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      const id = ref.slice('"$ref":"#/components/schemas/'.length, -1);
      expect(ref.startsWith('"$ref":"#/components/schemas/')).toBe(true);
      expect(document.components.schemas[id]).toBeDefined();
    }
    expect(JSON.stringify(document)).not.toContain('$defs');
  });
});
