#!/usr/bin/env node
// Codemod: makes every cross-domain relative import in packages/core/src go through the target
// domain's index.ts, and adds to that index.ts the re-exports it lacks. It applies the rule
// `domain-through-index` of .dependency-cruiser.mjs; the folder definitions below must match it.
//
//   node scripts/route-imports-through-index.mjs [--dry-run] [repo-root]
//
// It prints every rewrite, every re-export added and every import it left alone (with why), then
// formats the files it changed with Biome. Run `pnpm check:deps` afterwards: routing through an
// index.ts makes the importer depend on everything that index.ts loads, which can close a cycle
// the direct import did not.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const root = resolve(
  args.find((arg) => !arg.startsWith('--')) ?? fileURLToPath(new URL('..', import.meta.url)),
);
const src = join(root, 'packages', 'core', 'src');

/** Folders whose files are not domain code: the rule does not apply to imports made from them. */
const NOT_DOMAIN = new Set(['http', 'api', 'config', 'testing', 'memory', 'ports']);
/** What every domain may import directly: kernel folders and root-level kernel files. */
const KERNEL_FOLDERS = new Set(['ports', 'crypto']);
const KERNEL_FILES = new Set([
  'errors.ts',
  'call-context.ts',
  'validation.ts',
  'json-object-schema.ts',
  'checked-as.ts',
  'http-url-schema.ts',
]);

/** A domain's type file (`users/users.ts`): named after its folder, it imports nothing back. */
function isTypeFile(file) {
  const parts = relative(src, file).split(sep);
  return parts.length >= 2 && parts.at(-1) === `${parts.at(-2)}.ts`;
}
/** Folders a domain must not import at all (domain-not-to-config-http-or-root): not routable. */
const FORBIDDEN_FOLDERS = new Set(['http', 'config']);

/** The domain folder of a path under src: its first segment, or `credentials/<x>`; null at the root. */
function folderOf(file) {
  const parts = relative(src, file).split(sep);
  if (parts.length < 2) return null;
  if (parts[0] === 'credentials' && parts.length >= 3) return `credentials/${parts[1]}`;
  return parts[0];
}

function listSourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` → the `.ts` file it stands for, or null when it is not a file under src. */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return null;
  const target = resolve(dirname(fromFile), specifier.replace(/\.js$/, '.ts'));
  return target.startsWith(src + sep) && existsSync(target) ? target : null;
}

function toSpecifier(fromFile, targetFile) {
  const path = relative(dirname(fromFile), targetFile).split(sep).join('/').replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

const files = listSourceFiles(src);
const program = ts.createProgram(files, {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  noEmit: true,
});
const checker = program.getTypeChecker();

/** The declaration a module's export `name` finally stands for (through re-exports), or undefined. */
function exportedSymbol(file, name) {
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return undefined;
  const symbol = checker.getExportsOfModule(moduleSymbol).find((s) => s.getName() === name);
  if (!symbol) return undefined;
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

const rewrites = []; // { file, start, end, text, report }
const reExports = new Map(); // index file → Map(name → { from, isValue })
const leftAlone = [];

for (const file of files) {
  // unit tests beside the code test its internals: the rule is for the code itself
  if (file.endsWith('.test.ts')) continue;
  const fromFolder = folderOf(file);
  if (fromFolder === null || NOT_DOMAIN.has(fromFolder.split('/')[0])) continue;
  const source = program.getSourceFile(file);
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    const isExport = ts.isExportDeclaration(statement);
    if (!(isImport || isExport) || !statement.moduleSpecifier) continue;
    const specifier = statement.moduleSpecifier.text;
    const target = resolveSpecifier(file, specifier);
    if (target === null) continue;
    const toFolder = folderOf(target);
    const where = `${relative(root, file)}: '${specifier}'`;
    if (toFolder === null && KERNEL_FILES.has(relative(src, target))) continue;
    if (toFolder === null) {
      leftAlone.push(`${where} (a root-level file, not in a domain folder)`);
      continue;
    }
    if (toFolder === fromFolder || KERNEL_FOLDERS.has(toFolder) || isTypeFile(target)) continue;
    const index = join(src, toFolder, 'index.ts');
    if (target === index) continue;
    if (FORBIDDEN_FOLDERS.has(toFolder)) {
      leftAlone.push(`${where} (domains must not import ${toFolder}/ at all)`);
      continue;
    }
    if (!existsSync(index)) {
      leftAlone.push(`${where} (${toFolder}/ has no index.ts)`);
      continue;
    }

    // The names this statement takes from the target, as the target exports them.
    const clause = isImport ? statement.importClause : undefined;
    const bindings = isImport ? clause?.namedBindings : statement.exportClause;
    if ((isImport && (!clause || clause.name)) || !bindings || !('elements' in bindings)) {
      leftAlone.push(`${where} (not a plain named import/export: route it by hand)`);
      continue;
    }
    const names = bindings.elements.map((element) => (element.propertyName ?? element.name).text);

    let routable = true;
    for (const name of names) {
      const wanted = exportedSymbol(target, name);
      const offered = exportedSymbol(index, name);
      if (wanted === undefined) {
        leftAlone.push(`${where} ('${name}' is not exported by the target)`);
        routable = false;
      } else if (offered !== undefined && offered !== wanted) {
        leftAlone.push(`${where} (${toFolder}/index.ts already exports another '${name}')`);
        routable = false;
      } else if (offered === undefined) {
        const missing = reExports.get(index) ?? new Map();
        const isValue = (wanted.flags & ts.SymbolFlags.Value) !== 0;
        missing.set(name, { from: target, isValue: isValue || missing.get(name)?.isValue === true });
        reExports.set(index, missing);
      }
    }
    if (!routable) continue;
    const node = statement.moduleSpecifier;
    rewrites.push({
      file,
      start: node.getStart(source),
      end: node.getEnd(),
      text: `'${toSpecifier(file, index)}'`,
      report: `${where} → '${toSpecifier(file, index)}'`,
    });
  }
}

// Apply, last edit first within a file so earlier offsets stay valid.
const changed = new Set();
const byFile = new Map();
for (const rewrite of rewrites) byFile.set(rewrite.file, [...(byFile.get(rewrite.file) ?? []), rewrite]);
for (const [file, edits] of byFile) {
  let text = readFileSync(file, 'utf8');
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  if (!dryRun) writeFileSync(file, text);
  changed.add(file);
}
const added = [];
for (const [index, names] of reExports) {
  const lines = [...names].map(
    ([name, { from, isValue }]) =>
      `export ${isValue ? '' : 'type '}{ ${name} } from '${toSpecifier(index, from)}';`,
  );
  added.push(...lines.map((line) => `${relative(root, index)}: ${line}`));
  if (!dryRun) writeFileSync(index, `${readFileSync(index, 'utf8').trimEnd()}\n${lines.join('\n')}\n`);
  changed.add(index);
}

console.log(`${dryRun ? 'Would rewrite' : 'Rewrote'} ${rewrites.length} imports in ${byFile.size} files:`);
for (const rewrite of rewrites) console.log(`  ${rewrite.report}`);
console.log(`\n${dryRun ? 'Would add' : 'Added'} ${added.length} re-exports:`);
for (const line of added) console.log(`  ${line}`);
console.log(`\nLeft alone (${leftAlone.length}):`);
for (const line of leftAlone) console.log(`  ${line}`);

if (!dryRun && changed.size > 0) {
  // Biome's import organizer merges the now-duplicate imports of one index.ts and sorts the
  // re-exports into place.
  execFileSync('pnpm', ['exec', 'biome', 'check', '--write', ...changed], { cwd: root, stdio: 'inherit' });
}
