import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mysqlDefaults from '@portcullis/adapter-drizzle/mysql';
import * as pgDefaults from '@portcullis/adapter-drizzle/pg';
import * as sqliteDefaults from '@portcullis/adapter-drizzle/sqlite';
import { is, Table } from 'drizzle-orm';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { declaredSchema, packageTables } from '../../adapter-drizzle/test/support/declared-schema.js';
import { runCli } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env: {},
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/**
 * A directory outside the source tree whose `node_modules` is this package's, so a generated
 * file there imports the drizzle-orm an app would have.
 */
function scratchDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-generate-'));
  symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * Type errors of TypeScript files compiled on their own, strict, as an app's build would. The
 * files import core's types from `@portcullis/core/ports`, read here from core's sources (an app
 * reads the same types from the package's declarations); errors are those of `files` only.
 */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
    paths: { '@portcullis/core/*': [join(packageDir, '../core/src/*/index.ts')] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(d.file.fileName))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** `--dialect`, the adapter's dialect name, and the package's tables with the default prefix. */
const DIALECTS = [
  ['pg', 'postgres', pgDefaults],
  ['mysql', 'mysql', mysqlDefaults],
  ['sqlite', 'sqlite', sqliteDefaults],
] as const;

function tableExportNames(module: Record<string, unknown>): string[] {
  return Object.keys(module)
    .filter((name) => is(module[name], Table))
    .sort();
}

describe('portcullis generate drizzle', () => {
  const dir = scratchDirectory();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [flag, dialect, defaults] of DIALECTS) {
    for (const prefix of ['pc_', 'auth_']) {
      it(`writes a ${flag} schema (prefix ${prefix}) that declares exactly the package's tables`, async () => {
        const file = join(dir, `schema-${flag}-${prefix.replace(/_$/, '')}.ts`);
        const args = ['generate', 'drizzle', '--dialect', flag, '--out', file];
        const run = await cli(prefix === 'pc_' ? args : [...args, '--table-prefix', prefix]);
        expect(run).toEqual({ code: 0, stdout: `wrote ${file}`, stderr: '' });

        const generated = (await import(file)) as Record<string, unknown>;
        const tables = Object.fromEntries(tableExportNames(generated).map((name) => [name, generated[name]]));
        expect(declaredSchema(dialect, tables)).toEqual(
          declaredSchema(dialect, packageTables(dialect, prefix)),
        );
        // with the default prefix, the same export names as the package's tables: either can be imported
        if (prefix === 'pc_') expect(tableExportNames(generated)).toEqual(tableExportNames(defaults));
      });
    }
  }

  it('writes schema files that compile on their own under strict TypeScript', async () => {
    const files = DIALECTS.map(([flag]) => join(dir, `compiled-${flag}.ts`));
    for (const [i, [flag]] of DIALECTS.entries()) {
      expect((await cli(['generate', 'drizzle', '--dialect', flag, '--out', files[i]!])).code).toBe(0);
    }
    expect(typeErrors(files)).toEqual([]);
  });

  it('prints the schema when no --out is given', async () => {
    const run = await cli(['generate', 'drizzle', '--dialect', 'sqlite']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('`portcullis generate drizzle --dialect sqlite`');
    expect(run.stdout).toContain("export function portcullisTables(prefix: string = 'pc_') {");
    expect(run.stdout).toContain('  const users = sqliteTable(\n');
    expect(run.stdout).toContain("const pcTables: PortcullisSqliteTables = portcullisTables('pc_');");
    expect(run.stdout).toContain('export const pcUsers = pcTables.users;');
  });

  it('names the tables it exports one by one after --table-prefix, and says how it was generated', async () => {
    const run = await cli(['generate', 'drizzle', '--dialect', 'pg', '--table-prefix', 'auth_']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('`portcullis generate drizzle --dialect pg --table-prefix auth_`');
    expect(run.stdout).toContain("const authTables: PortcullisPgTables = portcullisTables('auth_');");
    expect(run.stdout).toContain('export const authUsers = authTables.users;');
  });

  it('says on MySQL that the tables need the utf8mb4_bin collation', async () => {
    const file = join(dir, 'schema-collation.ts');
    await cli(['generate', 'drizzle', '--dialect', 'mysql', '--out', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/COLLATE=utf8mb4_bin/);
  });

  it.each([
    [['generate'], /unknown generate command ""; use drizzle/],
    [['generate', 'sql'], /unknown generate command "sql"/],
    [['generate', 'drizzle'], /needs --dialect pg, mysql or sqlite/],
    [['generate', 'drizzle', '--dialect', 'oracle'], /unknown --dialect "oracle"/],
    [
      ['generate', 'drizzle', '--dialect', 'pg', '--table-prefix', 'Auth-'],
      /--table-prefix must be lower-case/,
    ],
    [
      ['generate', 'drizzle', '--dialect', 'pg', '--database-url', 'sqlite::memory:'],
      /--database-url does not apply/,
    ],
    [
      ['migrate', 'up', '--database-url', 'sqlite::memory:', '--dialect', 'pg'],
      /--dialect applies to generate drizzle/,
    ],
  ])('exits 2 with the usage for a wrong command line: %j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Usage: portcullis/);
  });
});
