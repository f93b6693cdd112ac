import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'pg/index': 'src/pg/index.ts',
    'mysql/index': 'src/mysql/index.ts',
    'sqlite/index': 'src/sqlite/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
});
