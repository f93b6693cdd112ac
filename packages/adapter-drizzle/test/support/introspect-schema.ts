import type { DrizzleDialect } from '@portcullis/adapter-drizzle';
import { type Kysely, sql } from 'kysely';
import {
  byName,
  canonicalAction,
  canonicalType,
  type ForeignKeyShape,
  type IndexShape,
  type KeyShape,
  type TableShape,
} from './schema-shape.js';

// biome-ignore lint/suspicious/noExplicitAny: catalog queries name their tables at run time
type AnyKysely = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: catalog rows are read field by field
type Row = Record<string, any>;

/**
 * What the database holds under `prefix`, read from its catalog: every table but the migrator's
 * history table `<prefix>migrations`, which is the migrator's bookkeeping, not Portcullis's data.
 */
export async function introspectSchema(
  db: AnyKysely,
  dialect: DrizzleDialect,
  prefix: string,
): Promise<TableShape[]> {
  const read = dialect === 'postgres' ? postgresTables : dialect === 'mysql' ? mysqlTables : sqliteTables;
  const tables = await read(db, (name) => name.startsWith(prefix) && name !== `${prefix}migrations`);
  return byName(tables);
}

async function rows(db: AnyKysely, query: ReturnType<typeof sql>): Promise<Row[]> {
  return (await query.execute(db)).rows as Row[];
}

// --- PostgreSQL: pg_catalog --------------------------------------------------------------------

const PG_ACTIONS: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

async function postgresTables(db: AnyKysely, wanted: (name: string) => boolean): Promise<TableShape[]> {
  const tables = await rows(
    db,
    sql`select c.oid::int as oid, c.relname::text as name from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'p')`,
  );
  const shapes: TableShape[] = [];
  for (const table of tables.filter((t) => wanted(t.name))) {
    const columns = await rows(
      db,
      sql`select attname::text as name, format_type(atttypid, atttypmod) as type,
            not attnotnull as nullable, atthasdef as has_default
          from pg_attribute where attrelid = ${table.oid} and attnum > 0 and not attisdropped
          order by attnum`,
    );
    const constraints = await rows(
      db,
      sql`select con.conname::text as name, con.contype::text as type,
            array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                  order by k.ord) as columns,
            fc.relname::text as foreign_table,
            array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum
                  order by k.ord) as foreign_columns,
            con.confdeltype::text as on_delete, con.confupdtype::text as on_update
          from pg_constraint con left join pg_class fc on fc.oid = con.confrelid
          where con.conrelid = ${table.oid}`,
    );
    // indexes that no constraint owns: the ones CREATE INDEX made
    const indexes = await rows(
      db,
      sql`select i.relname::text as name, x.indisunique as unique,
            array(select a.attname::text from unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
                  order by k.ord) as columns
          from pg_index x join pg_class i on i.oid = x.indexrelid
          where x.indrelid = ${table.oid}
            and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid and c.conrelid = x.indrelid)`,
    );
    const of = (type: string) => constraints.filter((c) => c.type === type);
    const unexpected = constraints.filter((c) => !['p', 'u', 'f'].includes(c.type));
    if (unexpected.length > 0) {
      throw new Error(
        `${table.name} has constraints the test does not compare: ${JSON.stringify(unexpected)}`,
      );
    }
    const pks = of('p');
    shapes.push({
      name: table.name,
      columns: columns.map((c) => ({
        name: c.name,
        type: canonicalType('postgres', c.type),
        nullable: c.nullable,
        hasDefault: c.has_default,
      })),
      primaryKey: { name: pks[0]?.name ?? null, columns: pks.flatMap((pk) => pk.columns) },
      uniques: byName(of('u').map((c): KeyShape => ({ name: c.name, columns: c.columns }))),
      indexes: byName(
        indexes.map((i): IndexShape => ({ name: i.name, columns: i.columns, unique: i.unique })),
      ),
      foreignKeys: byName(
        of('f').map(
          (c): ForeignKeyShape => ({
            name: c.name,
            columns: c.columns,
            foreignTable: c.foreign_table,
            foreignColumns: c.foreign_columns,
            onDelete: canonicalAction('postgres', PG_ACTIONS[c.on_delete] ?? c.on_delete),
            onUpdate: canonicalAction('postgres', PG_ACTIONS[c.on_update] ?? c.on_update),
          }),
        ),
      ),
    });
  }
  return shapes;
}

// --- MySQL / MariaDB: information_schema ------------------------------------------------------

async function mysqlTables(db: AnyKysely, wanted: (name: string) => boolean): Promise<TableShape[]> {
  const tables = await rows(
    db,
    sql`select TABLE_NAME as name from information_schema.TABLES
        where TABLE_SCHEMA = database() and TABLE_TYPE = 'BASE TABLE'`,
  );
  const shapes: TableShape[] = [];
  for (const { name } of tables.filter((t) => wanted(t.name))) {
    const columns = await rows(
      db,
      sql`select COLUMN_NAME as name, COLUMN_TYPE as type, IS_NULLABLE as nullable, COLUMN_DEFAULT as dflt
          from information_schema.COLUMNS where TABLE_SCHEMA = database() and TABLE_NAME = ${name}
          order by ORDINAL_POSITION`,
    );
    const keyColumns = await rows(
      db,
      sql`select tc.CONSTRAINT_NAME as name, tc.CONSTRAINT_TYPE as type, k.COLUMN_NAME as col,
            k.REFERENCED_TABLE_NAME as foreign_table, k.REFERENCED_COLUMN_NAME as foreign_col,
            rc.DELETE_RULE as on_delete, rc.UPDATE_RULE as on_update
          from information_schema.TABLE_CONSTRAINTS tc
          left join information_schema.KEY_COLUMN_USAGE k on k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
            and k.TABLE_NAME = tc.TABLE_NAME and k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
          left join information_schema.REFERENTIAL_CONSTRAINTS rc on rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
            and rc.TABLE_NAME = tc.TABLE_NAME and rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
          where tc.TABLE_SCHEMA = database() and tc.TABLE_NAME = ${name}
          order by tc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    );
    const statistics = await rows(
      db,
      sql`select INDEX_NAME as name, COLUMN_NAME as col, NON_UNIQUE as non_unique
          from information_schema.STATISTICS where TABLE_SCHEMA = database() and TABLE_NAME = ${name}
          order by INDEX_NAME, SEQ_IN_INDEX`,
    );
    const constraints = groupByName(keyColumns);
    const unexpected = constraints.filter(
      (c) => !['PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY'].includes(c.first.type),
    );
    if (unexpected.length > 0) {
      throw new Error(`${name} has constraints the test does not compare: ${JSON.stringify(unexpected)}`);
    }
    const of = (type: string) => constraints.filter((c) => c.first.type === type);
    const uniqueNames = new Set(of('UNIQUE').map((c) => c.name));
    const primaryKey = of('PRIMARY KEY')[0];
    shapes.push({
      name,
      columns: columns.map((c) => ({
        name: c.name,
        type: canonicalType('mysql', c.type),
        nullable: c.nullable === 'YES',
        // MariaDB reports the implicit default of a nullable column as the text NULL
        hasDefault: c.dflt !== null && c.dflt !== 'NULL',
      })),
      primaryKey: { name: null, columns: primaryKey?.rows.map((r) => r.col) ?? [] },
      uniques: byName(of('UNIQUE').map((c) => ({ name: c.name, columns: c.rows.map((r) => r.col) }))),
      // PRIMARY and the unique constraints' indexes are compared as constraints. (An index InnoDB
      // creates for a foreign key without one would show here, and fail the comparison.)
      indexes: byName(
        groupByName(statistics)
          .filter((i) => !uniqueNames.has(i.name) && i.name !== 'PRIMARY')
          .map((i) => ({
            name: i.name,
            columns: i.rows.map((r) => r.col),
            unique: Number(i.first.non_unique) === 0,
          })),
      ),
      foreignKeys: byName(
        of('FOREIGN KEY').map((c) => ({
          name: c.name,
          columns: c.rows.map((r) => r.col),
          foreignTable: c.first.foreign_table,
          foreignColumns: c.rows.map((r) => r.foreign_col),
          onDelete: canonicalAction('mysql', c.first.on_delete),
          onUpdate: canonicalAction('mysql', c.first.on_update),
        })),
      ),
    });
  }
  return shapes;
}

/** Rows grouped by their `name`, in order. */
function groupByName(list: Row[]): { name: string; first: Row; rows: Row[] }[] {
  const groups = new Map<string, Row[]>();
  for (const row of list) groups.set(row.name, [...(groups.get(row.name) ?? []), row]);
  return [...groups].map(([name, rows]) => ({ name, first: rows[0]!, rows }));
}

// --- SQLite: PRAGMA -----------------------------------------------------------------------------

async function sqliteTables(db: AnyKysely, wanted: (name: string) => boolean): Promise<TableShape[]> {
  const tables = await rows(db, sql`select name, sql from sqlite_master where type = 'table'`);
  const shapes: TableShape[] = [];
  for (const { name, sql: createSql } of tables.filter((t) => wanted(t.name))) {
    const columns = await rows(db, sql`select * from pragma_table_info(${name}) order by cid`);
    const indexList = await rows(db, sql`select * from pragma_index_list(${name})`);
    const foreignKeys = await rows(db, sql`select * from pragma_foreign_key_list(${name}) order by id, seq`);
    // SQLite keeps constraint names only in the CREATE TABLE text
    const named = namedConstraints(String(createSql));
    const nameOf = (kind: string, columns: string[]) =>
      named.find((c) => c.kind === kind && c.columns.join() === columns.join())?.name ?? '(unnamed)';

    const indexes: IndexShape[] = [];
    const uniques: KeyShape[] = [];
    for (const index of indexList) {
      const info = await rows(db, sql`select * from pragma_index_info(${index.name}) order by seqno`);
      const indexColumns = info.map((i) => String(i.name));
      if (index.origin === 'c')
        indexes.push({ name: index.name, columns: indexColumns, unique: index.unique === 1 });
      else if (index.origin === 'u')
        uniques.push({ name: nameOf('unique', indexColumns), columns: indexColumns });
    }
    const pkColumns = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => String(c.name));
    const fkGroups = new Map<number, Row[]>();
    for (const fk of foreignKeys) fkGroups.set(fk.id, [...(fkGroups.get(fk.id) ?? []), fk]);

    shapes.push({
      name,
      columns: columns.map((c) => ({
        name: c.name,
        type: canonicalType('sqlite', c.type),
        nullable: c.notnull === 0,
        hasDefault: c.dflt_value !== null,
      })),
      primaryKey: { name: nameOf('primary key', pkColumns), columns: pkColumns },
      uniques: byName(uniques),
      indexes: byName(indexes),
      foreignKeys: byName(
        [...fkGroups.values()].map((group) => {
          const fkColumns = group.map((g) => String(g.from));
          return {
            name: nameOf('foreign key', fkColumns),
            columns: fkColumns,
            foreignTable: group[0]!.table,
            foreignColumns: group.map((g) => String(g.to)),
            onDelete: canonicalAction('sqlite', group[0]!.on_delete),
            onUpdate: canonicalAction('sqlite', group[0]!.on_update),
          };
        }),
      ),
    });
  }
  return shapes;
}

/** `constraint "name" <kind> ("a", "b")` clauses of a CREATE TABLE statement. */
function namedConstraints(createSql: string): { name: string; kind: string; columns: string[] }[] {
  const pattern =
    /constraint\s+[`"[]?([^`"\]\s]+)[`"\]]?\s+(primary\s+key|unique|foreign\s+key)\s*\(([^)]*)\)/gi;
  return [...createSql.matchAll(pattern)].map((match) => ({
    name: match[1]!,
    kind: match[2]!.toLowerCase().replace(/\s+/g, ' '),
    columns: match[3]!.split(',').map((column) => column.trim().replace(/^[`"[]|[`"\]]$/g, '')),
  }));
}
