import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyFromUrl } from '@portcullis/adapter-kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDatabase, randomTablePrefix, serviceUrl } from '../../../test-support/test-services.js';
import { runCli } from '../src/index.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env,
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('portcullis command line', () => {
  it('prints the usage for --help and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/Usage: portcullis <command>/);
    expect(run.stdout).toMatch(/migrate check/);
    expect((await cli(['migrate', '-h'])).code).toBe(0);
  });

  // Regression (issue 14, newcomer 6): there was no --version, and a usage error printed the
  // whole help (20 lines) under the one line that mattered.
  it('prints its version for --version and -v, the one in its package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const run = await cli([flag]);
      expect(run).toEqual({ code: 0, stdout: version, stderr: '' });
    }
  });

  it('answers a wrong command line with the error and one line of usage', async () => {
    const run = await cli(['migrate', 'sideways', '--database-url', 'sqlite::memory:']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toEqual([
      'portcullis: unknown migrate command "sideways"; use up, down, status or check',
      expect.stringMatching(/^Usage: portcullis migrate .*portcullis --help for more\)$/),
    ]);
  });

  it.each([
    [[], /no command given/],
    [['serve'], /unknown command "serve"/],
    [['migrate'], /pass --database-url <url> or set DATABASE_URL/],
    [['migrate', 'sideways', '--database-url', 'sqlite::memory:'], /unknown migrate command "sideways"/],
    [['migrate', 'up', 'extra', '--database-url', 'sqlite::memory:'], /unexpected argument "extra"/],
    [['migrate', 'up', '--no-such-flag'], /Unknown option '--no-such-flag'/],
    [
      ['migrate', 'up', '--database-url', 'sqlite::memory:', '--steps', 'two'],
      /--steps must be a whole number/,
    ],
    [
      ['migrate', 'status', '--database-url', 'sqlite::memory:', '--steps', '1'],
      /--steps applies to migrate up/,
    ],
    [['migrate', 'up'], /pass --database-url <url> or set DATABASE_URL/],
  ])('exits 2 with the usage for a wrong command line: %j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Usage: portcullis/);
  });

  it('treats a bare "migrate" as "migrate up"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-cli-bare-'));
    const url = `sqlite:${join(dir, 'bare.sqlite')}`;
    expect((await cli(['migrate', '--database-url', url])).code).toBe(0);
    expect((await cli(['migrate', 'check', '--database-url', url])).code).toBe(0);
  });

  it('exits 1 with the reason when the database cannot be reached, without printing its password', async () => {
    const run = await cli(['migrate', 'status', '--database-url', 'postgres://admin:s3cret@127.0.0.1:1/app']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ECONNREFUSED/);
    expect(run.stderr).not.toContain('s3cret');
  });

  it('exits 1 for an unsupported database URL', async () => {
    const run = await cli(['migrate', 'up', '--database-url', 'mongodb://localhost/x']);
    expect(run).toMatchObject({ code: 1 });
    expect(run.stderr).toMatch(/unsupported database URL scheme/);
  });
});

/** The migrate commands against one database, on tables of their own. */
function describeMigrateCommands(name: string, databaseUrl: () => string, cleanup?: () => void): void {
  describe(`portcullis migrate on ${name}`, () => {
    const prefix = randomTablePrefix('c');
    const args = (...command: string[]) => [
      'migrate',
      ...command,
      '--database-url',
      databaseUrl(),
      '--table-prefix',
      prefix,
    ];

    afterAll(async () => {
      await cli(args('down', '--steps', 'all'));
      const { db, close } = await createKyselyFromUrl(databaseUrl());
      await db.schema.dropTable(`${prefix}migrations`).ifExists().execute();
      await close();
      cleanup?.();
    });

    it('reports pending migrations: check exits 1 and names them, status lists them', async () => {
      const check = await cli(args('check'));
      expect(check.code).toBe(1);
      expect(check.stderr).toBe(
        'pending migrations: 0001_initial, 0002_authorization, 0003_mfa, 0004_one_time_tokens, 0005_passkeys, 0006_oauth_accounts, 0007_credential_failures, 0008_audit_prev_hash, 0009_signing_keys, 0010_refresh_tokens, 0011_clients, 0012_revoked_access_tokens, 0013_api_keys, 0014_api_key_credits, 0015_rate_limit_overrides, 0016_api_key_leaks, 0017_outbox_request_id',
      );
      const status = await cli(args('status'));
      expect(status.code).toBe(0);
      expect(status.stdout.split('\n')).toEqual([
        'MIGRATION                   STATE    APPLIED AT',
        '0001_initial                pending',
        '0002_authorization          pending',
        '0003_mfa                    pending',
        '0004_one_time_tokens        pending',
        '0005_passkeys               pending',
        '0006_oauth_accounts         pending',
        '0007_credential_failures    pending',
        '0008_audit_prev_hash        pending',
        '0009_signing_keys           pending',
        '0010_refresh_tokens         pending',
        '0011_clients                pending',
        '0012_revoked_access_tokens  pending',
        '0013_api_keys               pending',
        '0014_api_key_credits        pending',
        '0015_rate_limit_overrides   pending',
        '0016_api_key_leaks          pending',
        '0017_outbox_request_id      pending',
      ]);
    });

    it('migrates up, then is up to date', async () => {
      expect(await cli(args('up'))).toEqual({
        code: 0,
        stdout:
          'applied 0001_initial\napplied 0002_authorization\napplied 0003_mfa\napplied 0004_one_time_tokens\napplied 0005_passkeys\napplied 0006_oauth_accounts\napplied 0007_credential_failures\napplied 0008_audit_prev_hash\napplied 0009_signing_keys\napplied 0010_refresh_tokens\napplied 0011_clients\napplied 0012_revoked_access_tokens\napplied 0013_api_keys\napplied 0014_api_key_credits\napplied 0015_rate_limit_overrides\napplied 0016_api_key_leaks\napplied 0017_outbox_request_id',
        stderr: '',
      });
      expect(await cli(args('up'))).toEqual({ code: 0, stdout: 'already up to date', stderr: '' });
      expect(await cli(args('check'))).toEqual({ code: 0, stdout: 'up to date', stderr: '' });
      const status = await cli(args('status'));
      expect(status.stdout).toMatch(/^0001_initial {16}applied {2}\d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    });

    it('reads the database URL from DATABASE_URL when --database-url is absent', async () => {
      const run = await cli(['migrate', 'check', '--table-prefix', prefix], { DATABASE_URL: databaseUrl() });
      expect(run).toEqual({ code: 0, stdout: 'up to date', stderr: '' });
    });

    it('fails check and refuses to migrate when an applied migration was changed', async () => {
      const { db, close } = await createKyselyFromUrl(databaseUrl());
      const history = `${prefix}migrations`;
      const [row] = await db
        .selectFrom(history)
        .select('checksum')
        .where('id', '=', '0001_initial')
        .execute();
      try {
        await db
          .updateTable(history)
          .set({ checksum: '0'.repeat(64) })
          .where('id', '=', '0001_initial')
          .execute();
        const check = await cli(args('check'));
        expect(check.code).toBe(1);
        expect(check.stderr).toMatch(/checksum mismatch\): 0001_initial/);
        expect((await cli(args('status'))).stdout).toMatch(/^0001_initial {16}changed/m);
        const up = await cli(args('up'));
        expect(up.code).toBe(1);
        expect(up.stderr).toMatch(/checksum mismatch/);
      } finally {
        await db
          .updateTable(history)
          .set({ checksum: row!.checksum })
          .where('id', '=', '0001_initial')
          .execute();
        await close();
      }
    });

    it('migrates down one step, then finds nothing to revert', async () => {
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0017_outbox_request_id',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0016_api_key_leaks', stderr: '' });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0015_rate_limit_overrides',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0014_api_key_credits',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0013_api_keys', stderr: '' });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0012_revoked_access_tokens',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0011_clients', stderr: '' });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0010_refresh_tokens',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0009_signing_keys',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0008_audit_prev_hash',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0007_credential_failures',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0006_oauth_accounts',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0005_passkeys', stderr: '' });
      expect(await cli(args('down'))).toEqual({
        code: 0,
        stdout: 'reverted 0004_one_time_tokens',
        stderr: '',
      });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0003_mfa', stderr: '' });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0002_authorization', stderr: '' });
      expect(await cli(args('down'))).toEqual({ code: 0, stdout: 'reverted 0001_initial', stderr: '' });
      expect(await cli(args('down', '--steps', '1'))).toEqual({
        code: 0,
        stdout: 'nothing to revert',
        stderr: '',
      });
      expect((await cli(args('check'))).code).toBe(1);
      expect((await cli(args('up', '--steps', '1'))).stdout).toBe('applied 0001_initial');
      expect((await cli(args('up'))).stdout).toBe(
        'applied 0002_authorization\napplied 0003_mfa\napplied 0004_one_time_tokens\napplied 0005_passkeys\napplied 0006_oauth_accounts\napplied 0007_credential_failures\napplied 0008_audit_prev_hash\napplied 0009_signing_keys\napplied 0010_refresh_tokens\napplied 0011_clients\napplied 0012_revoked_access_tokens\napplied 0013_api_keys\napplied 0014_api_key_credits\napplied 0015_rate_limit_overrides\napplied 0016_api_key_leaks\napplied 0017_outbox_request_id',
      );
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
describeMigrateCommands(
  'SQLite',
  () => `sqlite:${join(sqliteDir, 'cli.sqlite')}`,
  () => rmSync(sqliteDir, { recursive: true, force: true }),
);

for (const [name, envVar] of [
  ['PostgreSQL', 'PORTCULLIS_TEST_POSTGRES_URL'],
  ['MariaDB/MySQL', 'PORTCULLIS_TEST_MYSQL_URL'],
] as const) {
  const url = serviceUrl(name, envVar);
  describeDatabase<{ name: string; url: string }>(
    url === undefined ? { name, missing: envVar } : { name, url },
    (database) => describeMigrateCommands(database.name, () => database.url),
  );
}
