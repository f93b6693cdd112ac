import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyFromUrl, migrate } from '@portcullis/adapter-kysely';
import { documentsTableName } from '../../src/document-store.js';

// The databases the example's HTTP suites run on: SQLite in a temporary folder always, and
// PostgreSQL and MariaDB when PORTCULLIS_TEST_POSTGRES_URL / PORTCULLIS_TEST_MYSQL_URL are set,
// each under a random table prefix of its own, dropped afterwards.

export interface DatabaseTarget {
  name: string;
  databaseUrl: () => string;
  tablePrefix?: string;
  cleanup: () => Promise<void>;
}

/** SQLite (a file named `<name>.sqlite` in a temporary folder), then the configured servers. */
export function databaseTargets(name: string): DatabaseTarget[] {
  const tempDir = mkdtempSync(join(tmpdir(), `portcullis-example-${name}-`));
  const targets: DatabaseTarget[] = [
    {
      name: 'SQLite',
      databaseUrl: () => `sqlite:${join(tempDir, `${name}.sqlite`)}`,
      cleanup: async () => rmSync(tempDir, { recursive: true, force: true }),
    },
  ];
  for (const target of [
    serverTarget('PostgreSQL', process.env.PORTCULLIS_TEST_POSTGRES_URL),
    serverTarget('MariaDB', process.env.PORTCULLIS_TEST_MYSQL_URL),
  ]) {
    if (target) targets.push(target);
  }
  return targets;
}

/** A server database named by env: its own random table prefix, dropped afterwards. */
function serverTarget(name: string, url: string | undefined): DatabaseTarget | null {
  if (!url) return null;
  const tablePrefix = `e2e_${randomBytes(4).toString('hex')}_`;
  return {
    name,
    databaseUrl: () => url,
    tablePrefix,
    async cleanup() {
      const { db, close } = await createKyselyFromUrl(url);
      try {
        await db.schema.dropTable(documentsTableName(tablePrefix)).ifExists().execute();
        await migrate(db, { direction: 'down', steps: Number.POSITIVE_INFINITY, tablePrefix });
      } finally {
        await close();
      }
    },
  };
}
