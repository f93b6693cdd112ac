import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', webauthn: 'src/webauthn/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  tsconfig: 'tsconfig.build.json',
  // the webauthn entry imports the main one by the package's own name: one copy of the error class
  external: ['@portcullis/client'],
});
