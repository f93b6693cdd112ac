// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methodNames, type OperationId, operations } from '../src/generated/routes.js';
import { createPortcullisClient } from '../src/index.js';
import { createServer } from './support.js';

// Every route of the server's OpenAPI document has a client method that calls it: the committed
// fixture (what core promises) and the live document (what this build serves).

interface Document {
  paths: Record<string, Record<string, { operationId: string }>>;
}

const fixture: Document = JSON.parse(
  readFileSync(new URL('../../core/test/fixtures/openapi-document.json', import.meta.url), 'utf8'),
);

function routesOf(document: Document) {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      id: operation.operationId as OperationId,
      method: method.toUpperCase(),
      path: path.replace(/\{([^}]+)\}/g, ':$1'),
    })),
  );
}

function methodAt(client: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], client);
}

const client = createPortcullisClient({ baseUrl: 'https://app.example.com/auth', refreshOnFocus: false });

describe.each([
  ['the committed OpenAPI fixture', () => fixture],
  ['the live OpenAPI document', () => createServer().auth.openApiDocument() as unknown as Document],
])('client contract with %s', (_name, documentOf) => {
  it('has a method for every path and method, calling that path with that method', () => {
    const routes = routesOf(documentOf());
    expect(routes.length).toBeGreaterThan(60);
    for (const route of routes) {
      const where = `${route.method} ${route.path} (${route.id})`;
      expect(methodNames[route.id], where).toEqual(expect.any(String));
      expect(typeof methodAt(client, methodNames[route.id]), where).toBe('function');
      expect(operations[route.id], where).toMatchObject({ method: route.method, path: route.path });
    }
  });

  it('has no method for a route the document does not have', () => {
    const ids = new Set(routesOf(documentOf()).map((route) => route.id));
    expect(Object.keys(operations).filter((id) => !ids.has(id as OperationId))).toEqual([]);
  });
});

describe('docs/client.md', () => {
  it('lists every method in its table', () => {
    const guide = readFileSync(new URL('../../../docs/client.md', import.meta.url), 'utf8');
    const missing = Object.values(methodNames).filter((name) => !guide.includes(`| \`${name}(`));
    expect(missing).toEqual([]);
  });
});
