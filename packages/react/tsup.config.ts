import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['react', 'react-dom', '@portcullis/client'],
  tsconfig: 'tsconfig.build.json',
  // hooks and components run in client components: the directive keeps a server component that
  // imports them from rendering them on the server as server components
  banner: { js: "'use client';" },
  // one stylesheet: base.css first, then each area's file (src/styles/*.css)
  onSuccess: async () => {
    const files = [
      'base.css',
      ...readdirSync('src/styles')
        .filter((f) => f.endsWith('.css') && f !== 'base.css')
        .sort(),
    ];
    writeFileSync('dist/styles.css', files.map((f) => readFileSync(`src/styles/${f}`, 'utf8')).join('\n'));
  },
});
