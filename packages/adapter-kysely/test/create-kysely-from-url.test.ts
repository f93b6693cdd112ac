import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyFromUrl } from '@portcullis/adapter-kysely';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { sqlitePath } from '../src/create-kysely-from-url.js';
import { supportsSkipLocked } from '../src/mysql-server-check.js';

describe('createKyselyFromUrl', () => {
  it('reads SQLite paths from sqlite: and file: URLs', () => {
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePath('sqlite:./data/app.db')).toBe('./data/app.db');
    expect(sqlitePath('sqlite:app.db')).toBe('app.db');
    expect(sqlitePath('sqlite:///var/lib/app.db')).toBe('/var/lib/app.db');
    expect(sqlitePath('file:app.db')).toBe('app.db');
    expect(sqlitePath('file:///var/lib/app.db')).toBe('/var/lib/app.db');
  });

  const sqlite = it.skipIf(process.env.PORTCULLIS_TEST_SERVERS_ONLY === '1');

  sqlite('opens SQLite in WAL mode with a busy timeout and foreign keys on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-url-'));
    const { db, dialect, close } = await createKyselyFromUrl(`sqlite:${join(dir, 'a.db')}`);
    try {
      expect(dialect).toBe('sqlite');
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('foreign_keys')).toBe(1);
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  sqlite('opens an in-memory SQLite database', async () => {
    const { db, close } = await createKyselyFromUrl('sqlite::memory:');
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
    await close();
  });

  it('rejects an unknown scheme without echoing the URL (it may hold a password)', async () => {
    const error = await createKyselyFromUrl('mongodb://user:s3cret@db/x').catch((e: unknown) => e);
    expect(String(error)).toMatch(/unsupported database URL scheme "mongodb:"/);
    expect(String(error)).not.toContain('s3cret');
    await expect(createKyselyFromUrl('just-a-path.db')).rejects.toThrow(/unsupported database URL scheme/);
  });

  it('fails fast, not hangs, when PostgreSQL is not listening', async () => {
    const { db, close } = await createKyselyFromUrl('postgres://postgres@127.0.0.1:1/none');
    try {
      await expect(sql`select 1`.execute(db)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await close();
    }
  });
});

describe('supportsSkipLocked', () => {
  it('knows which servers have SKIP LOCKED', () => {
    expect(supportsSkipLocked('10.11.19-MariaDB-0+deb12u1')).toBe(true);
    expect(supportsSkipLocked('10.6.0-MariaDB')).toBe(true);
    expect(supportsSkipLocked('10.5.22-MariaDB')).toBe(false);
    expect(supportsSkipLocked('11.4.2-MariaDB')).toBe(true);
    expect(supportsSkipLocked('8.0.36')).toBe(true);
    expect(supportsSkipLocked('8.0.0-dmr')).toBe(false);
    expect(supportsSkipLocked('5.7.44-log')).toBe(false);
    expect(supportsSkipLocked('9.1.0')).toBe(true);
  });
});
