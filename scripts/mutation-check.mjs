#!/usr/bin/env node
// Plants each known-bug entry of scripts/mutations/*.json into the source, one at a time, runs the
// tests the entry names, and counts the bug caught when they fail. Restores every file, even on
// Ctrl-C. Usage: node scripts/mutation-check.mjs [--only <id>] [file.json …]
//
// An entry: { id, bug, file, find, replace, tests: [test files] }; `find` must occur exactly once
// in `file`, so a refactor that moves the code makes the entry fail loudly instead of planting
// nothing. The real-server suites run when the PORTCULLIS_TEST_* variables are set.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const mutationsDir = join(root, 'scripts/mutations');
const files = args.length > 0 ? args : readdirSync(mutationsDir).filter((f) => f.endsWith('.json'));

const entries = files.flatMap((f) =>
  JSON.parse(readFileSync(resolve(mutationsDir, f), 'utf8')).map((e) => ({ ...e, set: f })),
);
const chosen = only ? entries.filter((e) => e.id === only) : entries;

let restore = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });
}

const results = [];
for (const entry of chosen) {
  const path = join(root, entry.file);
  const original = readFileSync(path, 'utf8');
  const occurrences = original.split(entry.find).length - 1;
  if (occurrences !== 1) {
    results.push({ entry, outcome: `not planted (find text occurs ${occurrences} times)` });
    continue;
  }
  restore = () => writeFileSync(path, original);
  writeFileSync(
    path,
    original.replace(entry.find, () => entry.replace),
  );
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', ...entry.tests], { cwd: root, encoding: 'utf8' });
  restore();
  restore = null;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  results.push({ entry, outcome: run.status === 0 ? 'SURVIVED' : 'caught', seconds });
  console.log(`${run.status === 0 ? 'SURVIVED' : 'caught  '} ${entry.id} (${seconds} s)`);
}

const caught = results.filter((r) => r.outcome === 'caught').length;
console.log(
  `\n${caught} of ${results.length} planted bugs caught (${((100 * caught) / Math.max(1, results.length)).toFixed(0)}%)`,
);
for (const r of results.filter((r) => r.outcome !== 'caught')) {
  console.log(`  ${r.outcome}: ${r.entry.id}: ${r.entry.bug} [${r.entry.set}]`);
}
process.exitCode = caught === results.length ? 0 : 1;
