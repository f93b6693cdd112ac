import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'ports/index': 'src/ports/index.ts',
    'memory/index': 'src/memory/index.ts',
    'testing/index': 'src/testing/index.ts',
    'authorization/index': 'src/authorization/public.ts',
    'tokens/index': 'src/tokens/public.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  splitting: true,
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  external: ['vitest'],
});
