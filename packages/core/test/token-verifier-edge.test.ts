import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, signingKey, startTestIssuer } from './support/token-issuer.js';

// `@portcullis/core/tokens` runs on edge runtimes (Vercel/Next.js edge, Cloudflare Workers, Deno):
// bundled for a browser-like platform with the worker/browser export conditions, as those
// runtimes resolve it, the whole import graph (jose included) must resolve without a single Node
// built-in, reach nothing of core but the verifier and the error module, and run with Node's
// globals (require, process, Buffer) gone.

const CORE_SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ENTRY = fileURLToPath(new URL('../src/tokens/public.ts', import.meta.url));

async function bundleForTheEdge(contents: string): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    stdin: { contents, resolveDir: CORE_SRC, sourcefile: 'edge-entry.ts', loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    conditions: ['worker', 'browser'],
    format: 'iife',
    globalName: 'edgeModule',
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return { code, metafile: result.metafile };
}

describe('@portcullis/core/tokens is edge-safe', () => {
  it('bundles for a browser-like platform with no Node built-in, and pulls in only the verifier and errors.ts', async () => {
    const { metafile } = await bundleForTheEdge(`export * from ${JSON.stringify(ENTRY)};`);
    const inputs = Object.keys(metafile.inputs);
    const coreInputs = inputs.filter(
      (path) => !path.includes('node_modules') && !path.endsWith('edge-entry.ts'),
    );
    for (const path of coreInputs)
      expect(path).toMatch(/packages\/core\/src\/(tokens\/[^/]+\.ts|errors\.ts)$/);
    expect(coreInputs.some((path) => path.endsWith('tokens/create-verifier.ts'))).toBe(true);
    const external = Object.values(metafile.inputs).flatMap((input) =>
      input.imports.filter((i) => i.external).map((i) => i.path),
    );
    expect(external).toEqual([]);
    expect(inputs.some((path) => path.includes('node_modules') && path.includes('jose'))).toBe(true);
  });

  it('would catch a Node built-in: the same bundle with node:crypto imported fails', async () => {
    await expect(
      bundleForTheEdge(`import 'node:crypto'; export * from ${JSON.stringify(ENTRY)};`),
    ).rejects.toThrow(/node:crypto/);
  });

  it('verifies a token with require, process and Buffer gone', async () => {
    const key = await signingKey('EdDSA');
    const issuer = await startTestIssuer([key]);
    try {
      const token = await issuer.mint();
      const { code } = await bundleForTheEdge(`export { createVerifier } from ${JSON.stringify(ENTRY)};`);
      const load = new Function(
        'require',
        'process',
        'Buffer',
        'module',
        'global',
        `${code}\nreturn edgeModule;`,
      );
      const edge = load(
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ) as typeof import('../src/tokens/public.js');
      const verifier = edge.createVerifier({
        issuer: issuer.issuer,
        audience: AUDIENCE,
        jwks: { keys: [key.publicJwk] },
      });
      await expect(verifier.verify(token)).resolves.toMatchObject({
        type: 'user',
        tokenId: expect.any(String),
      });
      const refused = await verifier.authenticate(new Request('http://rs.test/'));
      expect(refused).toBeInstanceOf(Response);
    } finally {
      await issuer.close();
    }
  });
});
