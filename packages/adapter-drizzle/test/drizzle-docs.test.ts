import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { portcullisTables as mysqlTables } from '../src/mysql/tables.js';
import { portcullisTables as pgTables } from '../src/pg/tables.js';
import { portcullisTables as sqliteTables } from '../src/sqlite/tables.js';

const guide = readFileSync(new URL('../../../docs/adapters/drizzle.md', import.meta.url), 'utf8');

// A drizzle-kit user copies the table list from the guide: once it named 9 of the 18 tables,
// and whoever followed it got half the schema.
describe('docs/adapters/drizzle.md', () => {
  it('names every table portcullisTables returns, in order, for each dialect', () => {
    const paragraph = guide.slice(
      guide.indexOf('Each exports `portcullisTables'),
      guide.indexOf('its type ('),
    );
    const listed = [...paragraph.matchAll(/`([a-zA-Z]+)`/g)].map((m) => m[1]);
    for (const tables of [pgTables('pc_'), mysqlTables('pc_'), sqliteTables('pc_')]) {
      expect(listed).toEqual(Object.keys(tables));
    }
  });
});
