import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

// What the adapters' and the CLI's tests share about the services they run against (database
// servers, Redis, SQLite files): which are there, how a missing one is skipped, and how files
// share a server. Each adapter opens its own connections on top (its `test/support`). It lives
// outside the packages because it belongs to none: it is no core behaviour (adapter tests use
// core only through its public entry points) and no published code.

/** A database the suites run against; `connect` may be called several times (separate pools). */
export interface TestDatabase<Connection> {
  name: string;
  connect(): Promise<Connection>;
}

/** A service whose URL is not set: its suites are skipped, naming the variable. */
export interface MissingService {
  name: string;
  missing: string;
}

/**
 * The URL of a service in `envVar`, or undefined when it is not set (its suites skip). Under
 * `CI=true` a missing one throws instead: CI must run every suite, not skip it.
 */
export function serviceUrl(name: string, envVar: string): string | undefined {
  const url = process.env[envVar];
  if (!url && process.env.CI === 'true') {
    throw new Error(`${envVar} is required in CI: ${name} must be tested, not skipped`);
  }
  return url || undefined;
}

/** Declares the suites for a database, or, when its URL is not set, a skip that says how to run it. */
export function describeDatabase<Database extends { name: string }>(
  database: Database | MissingService,
  body: (database: Database) => void,
): void {
  if ('missing' in database) {
    describe.skip(`${database.name}: skipped, set ${database.missing} to run`, () => {
      it('needs the database', () => {});
    });
    return;
  }
  describe(database.name, () => body(database));
}

/** A table prefix of its own per test file (`tag` tells whose), so files can share one server. */
export function randomTablePrefix(tag: string): string {
  return `${tag}${randomBytes(4).toString('hex')}_`;
}

/**
 * A SQLite file in a fresh temp directory, opened by `open` on each `connect`. The directory is
 * removed whenever the last connection closes (and made again by a later `connect`).
 */
export function sqliteFileDatabase<Connection extends { close(): Promise<void> }>(
  tempDirPrefix: string,
  open: (file: string) => Promise<Connection>,
): TestDatabase<Connection> {
  const dir = mkdtempSync(join(tmpdir(), tempDirPrefix));
  let opened = 0;
  return {
    name: 'SQLite (better-sqlite3)',
    async connect() {
      mkdirSync(dir, { recursive: true });
      const connection = await open(join(dir, 'test.sqlite'));
      opened++;
      return {
        ...connection,
        async close() {
          await connection.close();
          if (--opened === 0) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
