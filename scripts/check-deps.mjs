#!/usr/bin/env node
// `pnpm check:deps`: checks the import rules in .dependency-cruiser.mjs over every package and
// exits 1 on any violation. `pnpm check:deps --ignore-known <file>` skips the violations listed in
// a baseline written by `pnpm exec depcruise-baseline packages --config .dependency-cruiser.mjs`.
//
// Why not the `depcruise` CLI: its exit status is the number of errors, which the OS reads
// modulo 256, so exactly 256 violations would pass. Through the API the count stays a number.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const [flag, knownViolationsFile] = process.argv.slice(2);
const knownViolations =
  flag === '--ignore-known' && knownViolationsFile
    ? JSON.parse(readFileSync(knownViolationsFile, 'utf8'))
    : undefined;

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const options = await extractDepcruiseOptions('./.dependency-cruiser.mjs');
const tsConfig = extractTSConfig(options.tsConfig.fileName);
const result = await cruise(
  ['packages'],
  { ...options, ...(knownViolations && { knownViolations }), outputType: 'err-long' },
  {},
  { tsConfig },
);
process.stdout.write(result.output);
process.exitCode = result.exitCode > 0 ? 1 : 0;
