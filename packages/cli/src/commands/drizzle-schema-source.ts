import { type ColumnSpec, type ColumnType, schemaTables, type TableSpec } from '@portcullis/adapter-kysely';
import {
  CORE_TYPE_NAMES,
  drizzleSchemaAnnotations,
  type TableAnnotation,
} from './drizzle-schema-annotations.js';

/** The dialects `portcullis generate drizzle --dialect` takes, named like Drizzle's modules. */
export type DrizzleSchemaDialect = 'pg' | 'mysql' | 'sqlite';

export const DRIZZLE_SCHEMA_DIALECTS: readonly DrizzleSchemaDialect[] = ['pg', 'mysql', 'sqlite'];

export interface DrizzleSchemaOptions {
  dialect: DrizzleSchemaDialect;
  /** The prefix of the tables the file exports one by one (`pcUsers`, …). Default `pc_`. */
  tablePrefix?: string | undefined;
  /** The tables to declare; every table the migrations create (`schemaTables`) by default. */
  tables?: readonly TableSpec[];
  /** Column types and notes; {@link drizzleSchemaAnnotations} by default. */
  annotations?: Record<string, TableAnnotation>;
  /** The command the header names to generate the file again; `portcullis generate drizzle …` by default. */
  command?: string;
}

/** The portable types whose builder differs by dialect (the others are helpers of the same name). */
type DialectColumnType = Exclude<ColumnType, 'id' | 'json' | 'timestamp'>;

/** The functions a schema file declares for the column types Drizzle has no builder for. */
type HelperName = 'id' | 'jsonText' | 'utcTimestamp' | 'varchar' | 'bigint';

interface Helper {
  /** The function with its JSDoc. */
  source: string;
  /** The names it imports from the dialect's module. */
  imports: string[];
  /** The helpers it calls. */
  helpers?: HelperName[];
}

/** A column's Drizzle builder call, and what it needs imported or declared. */
interface ColumnBuilder {
  code: string;
  imports?: string[];
  helpers?: HelperName[];
}

interface DialectSource {
  title: string;
  module: string;
  tableFunction: string;
  /** The name of the type of {@link portcullisTables}'s result. */
  tablesType: string;
  /** The builder of a column of a type every dialect writes differently; `name` is quoted. */
  column(name: string, type: DialectColumnType): ColumnBuilder;
  helpers: Record<'id' | 'jsonText' | 'utcTimestamp', Helper> & Partial<Record<HelperName, Helper>>;
}

const LINE_WIDTH = 110;
const COMMENT_WIDTH = 100;
const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/**
 * TypeScript source declaring Portcullis's tables for Drizzle, from the same table list the
 * Kysely migrations create the schema from, so the two cannot drift: every column with its SQL
 * type, nullability and TypeScript type, the named primary keys, unique constraints, indexes and
 * foreign keys. The file exports `portcullisTables(prefix)`, its result type, and those tables for
 * `tablePrefix` one by one as the camel-cased prefixed names (`pcUsers` for `pc_users`), which
 * drizzle-kit reads. `@portcullis/adapter-drizzle`'s own tables are this output, checked in.
 *
 * @example
 * writeFileSync('src/db/portcullis-schema.ts', renderDrizzleSchema({ dialect: 'pg' }))
 */
export function renderDrizzleSchema(options: DrizzleSchemaOptions): string {
  const prefix = options.tablePrefix ?? 'pc_';
  const tables = options.tables ?? schemaTables;
  const annotations = options.annotations ?? drizzleSchemaAnnotations;
  const source = DIALECT_SOURCES[options.dialect];
  const command =
    options.command ??
    `portcullis generate drizzle --dialect ${options.dialect}${prefix === 'pc_' ? '' : ` --table-prefix ${prefix}`}`;

  const imports = new Set<string>([source.tableFunction, 'primaryKey']);
  const helpers = new Set<HelperName>();
  const typeSources: string[] = [];
  const use = (built: ColumnBuilder) => {
    for (const name of built.imports ?? []) imports.add(name);
    for (const helper of built.helpers ?? []) helpers.add(helper);
  };

  const declarations = tables.map((table) => {
    const annotation = annotations[table.name] ?? {};
    checkNames(table, annotation);
    const columns = table.columns.flatMap((column) => {
      const { type, doc } = annotation.columns?.[column.name] ?? {};
      if (type) typeSources.push(type);
      const built = columnBuilder(source, column, type);
      use(built);
      const defaultValue = column.defaultValue === undefined ? '' : `.default(${quote(column.defaultValue)})`;
      return [
        ...jsDoc(doc, '      '),
        `      ${camelCase(column.name)}: ${built.code}${column.nullable ? '' : '.notNull()'}${defaultValue},`,
      ];
    });
    if (table.uniques?.length) imports.add('unique');
    if (table.indexes?.length) imports.add('index');
    if (table.foreignKeys?.length) imports.add('foreignKey');
    return [
      ...jsDoc(annotation.doc, '  '),
      `  const ${camelCase(table.name)} = ${source.tableFunction}(`,
      `    ${prefixed(table.name)},`,
      '    {',
      ...columns,
      '    },',
      ...constraintLines(table),
      '  );',
    ].join('\n');
  });

  // helpers call helpers (SQLite's `id` is its `varchar`) and import builders of their own
  for (const helper of [...helpers]) {
    for (const called of source.helpers[helper]?.helpers ?? []) helpers.add(called);
  }
  for (const helper of helpers) {
    for (const name of source.helpers[helper]?.imports ?? []) imports.add(name);
  }
  const coreImports = [
    'resolveTablePrefix',
    ...CORE_TYPE_NAMES.filter((name) =>
      typeSources.some((type) => new RegExp(`\\b${name}\\b`).test(type)),
    ).map((name) => `type ${name}`),
  ];
  const exportsConst = camelCase(`${prefix}tables`);

  return [
    ...header(options.dialect, source, command),
    '',
    importLine(coreImports, '@portcullis/core/ports'),
    importLine([...imports], source.module),
    '',
    ...HELPER_ORDER.filter((helper) => helpers.has(helper)).map(
      (helper) => `${source.helpers[helper]?.source}\n`,
    ),
    ...factoryDoc(source),
    "export function portcullisTables(prefix: string = 'pc_') {",
    '  const p = resolveTablePrefix(prefix);',
    '',
    declarations.join('\n\n'),
    '',
    '  return {',
    ...tables.map((table) => `    ${camelCase(table.name)},`),
    '  };',
    '}',
    '',
    `/** The ${source.title} tables of one prefix, as {@link portcullisTables} returns them. */`,
    `export type ${source.tablesType} = ReturnType<typeof portcullisTables>;`,
    '',
    `const ${exportsConst}: ${source.tablesType} = portcullisTables(${quote(prefix)});`,
    '',
    `// The tables with the prefix ${quote(prefix)}, one export each: drizzle-kit reads only top-level`,
    "// exports, so an app's schema can re-export them.",
    ...tables.map(
      (table) => `export const ${camelCase(prefix + table.name)} = ${exportsConst}.${camelCase(table.name)};`,
    ),
    '',
  ].join('\n');
}

const HELPER_ORDER: readonly HelperName[] = ['id', 'jsonText', 'utcTimestamp', 'varchar', 'bigint'];

function header(dialect: DrizzleSchemaDialect, source: DialectSource, command: string): string[] {
  const lines = wrap(
    `Portcullis's tables for ${source.title} (${source.module}), generated by \`${command}\` from the ` +
      "TableSpec that Portcullis's migrations create the schema from, which stays the source of truth. " +
      'Do not edit this file: run that command again (after upgrading Portcullis, or after changing the spec).',
    '// ',
  );
  if (dialect === 'mysql') {
    lines.push(
      '//',
      ...wrap(
        'The migrations create these tables with ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ' +
          'COLLATE=utf8mb4_bin (keys compare byte-wise); Drizzle cannot declare a collation, so add it ' +
          'to DDL that drizzle-kit generates from this file.',
        '// ',
      ),
    );
  }
  return lines;
}

function factoryDoc(source: DialectSource): string[] {
  return [
    '/**',
    ...wrap(
      `Portcullis's tables for ${source.title}, named with \`prefix\`: column for column, key for key ` +
        'and index for index the schema that the Kysely migrations (`portcullis migrate`) create, which ' +
        "is the source of truth (@portcullis/adapter-drizzle's tests compare both on migrated databases).",
      ' * ',
    ),
    ' *',
    ' * @param prefix the table prefix the migrations ran with (default `pc_`); throws when it is invalid',
    ' * @example',
    ' * // schema.ts of an app whose Portcullis tables are prefixed `auth_`',
    " * const auth = portcullisTables('auth_')",
    ' * export const authUsers = auth.users',
    ' */',
  ];
}

/** The primary key, unique constraints, indexes and foreign keys, as Drizzle's third argument. */
function constraintLines(table: TableSpec): string[] {
  const ref = (names: string[]) => names.map((name) => `t.${camelCase(name)}`).join(', ');
  const oneLine = [
    `primaryKey({ name: ${prefixed(`${table.name}_pk`)}, columns: [${ref(table.primaryKey)}] })`,
    ...(table.uniques ?? []).map((u) => `unique(${prefixed(u.name)}).on(${ref(u.columns)})`),
    ...(table.indexes ?? []).map((i) => `index(${prefixed(i.name)}).on(${ref(i.columns)})`),
  ];
  const foreignKeys = (table.foreignKeys ?? []).map((fk) => {
    const target = fk.references.table === table.name ? 't' : camelCase(fk.references.table);
    return [
      '      foreignKey({',
      `        name: ${prefixed(fk.name)},`,
      `        columns: [${ref(fk.columns)}],`,
      `        foreignColumns: [${fk.references.columns.map((c) => `${target}.${camelCase(c)}`).join(', ')}],`,
      `      }).onDelete(${quote(fk.onDelete)}),`,
    ].join('\n');
  });
  // the line the formatter would join them into, when there is nothing it must keep expanded
  const joined = `    (t) => [${oneLine.join(', ')}],`;
  if (foreignKeys.length === 0 && joined.length <= LINE_WIDTH) return [joined];
  return ['    (t) => [', ...oneLine.map((item) => `      ${item},`), ...foreignKeys, '    ],'];
}

function columnBuilder(source: DialectSource, column: ColumnSpec, tsType: string | undefined): ColumnBuilder {
  const name = quote(column.name);
  const typed = (built: ColumnBuilder): ColumnBuilder =>
    tsType === undefined ? built : { ...built, code: `${built.code}.$type<${tsType}>()` };
  if (column.type === 'json') {
    return { code: `jsonText${tsType === undefined ? '' : `<${tsType}>`}(${name})`, helpers: ['jsonText'] };
  }
  if (column.type === 'id') return typed({ code: `id(${name})`, helpers: ['id'] });
  if (column.type === 'timestamp') return typed({ code: `utcTimestamp(${name})`, helpers: ['utcTimestamp'] });
  return typed(source.column(name, column.type));
}

/** `id` is `varchar(36)`, the length of a UUID string. */
const ID_HELPER = [
  '/** A UUIDv7 string: `varchar(36)`. */',
  'function id(name: string) {',
  '  return varchar(name, { length: 36 });',
  '}',
].join('\n');

function jsonTextHelper(sqlType: string, why: string): string {
  return [
    '/**',
    ...wrap(
      `A JSON value stored as \`${sqlType}\` (the migrations' portable \`json\` type${why}): text JSON on ` +
        'every database, so one schema maps onto every driver unchanged.',
      ' * ',
    ),
    ' */',
    'function jsonText<T = unknown>(name: string) {',
    '  return customType<{ data: T; driverData: string }>({',
    `    dataType: () => '${sqlType}',`,
    '    toDriver: (value) => JSON.stringify(value),',
    '    fromDriver: (value) => JSON.parse(value) as T,',
    '  })(name);',
    '}',
  ].join('\n');
}

const DIALECT_SOURCES: Record<DrizzleSchemaDialect, DialectSource> = {
  pg: {
    title: 'PostgreSQL',
    module: 'drizzle-orm/pg-core',
    tableFunction: 'pgTable',
    tablesType: 'PortcullisPgTables',
    column: (name, type) => {
      if (type === 'bigint') return { code: `bigint(${name}, { mode: 'number' })`, imports: ['bigint'] };
      if (type === 'integer' || type === 'text') return { code: `${type}(${name})`, imports: [type] };
      return { code: `varchar(${name}, { length: ${varcharLength(type)} })`, imports: ['varchar'] };
    },
    helpers: {
      id: { source: ID_HELPER, imports: ['varchar'] },
      jsonText: { source: jsonTextHelper('text', ''), imports: ['customType'] },
      utcTimestamp: {
        source: [
          '/** `timestamptz(3)`, read and written as a `Date`. */',
          'function utcTimestamp(name: string) {',
          "  return timestamp(name, { precision: 3, withTimezone: true, mode: 'date' });",
          '}',
        ].join('\n'),
        imports: ['timestamp'],
      },
    },
  },
  mysql: {
    title: 'MySQL and MariaDB',
    module: 'drizzle-orm/mysql-core',
    tableFunction: 'mysqlTable',
    tablesType: 'PortcullisMysqlTables',
    column: (name, type) => {
      if (type === 'bigint') return { code: `bigint(${name}, { mode: 'number' })`, imports: ['bigint'] };
      if (type === 'integer') return { code: `int(${name})`, imports: ['int'] };
      if (type === 'text') return { code: `text(${name})`, imports: ['text'] };
      return { code: `varchar(${name}, { length: ${varcharLength(type)} })`, imports: ['varchar'] };
    },
    helpers: {
      id: { source: ID_HELPER, imports: ['varchar'] },
      jsonText: { source: jsonTextHelper('mediumtext', ' on MySQL'), imports: ['customType'] },
      utcTimestamp: {
        source: [
          '/**',
          ' * `datetime(3)` holding UTC, read and written as a `Date`. Drizzle writes it as UTC text and its',
          " * mysql2 driver reads DATETIME columns as text, so the pool's `timezone` setting plays no part.",
          ' */',
          'function utcTimestamp(name: string) {',
          "  return datetime(name, { fsp: 3, mode: 'date' });",
          '}',
        ].join('\n'),
        imports: ['datetime'],
      },
    },
  },
  sqlite: {
    title: 'SQLite',
    module: 'drizzle-orm/sqlite-core',
    tableFunction: 'sqliteTable',
    tablesType: 'PortcullisSqliteTables',
    column: (name, type) => {
      if (type === 'bigint') return { code: `bigint(${name})`, helpers: ['bigint'] };
      if (type === 'integer' || type === 'text') return { code: `${type}(${name})`, imports: [type] };
      return { code: `varchar(${name}, { length: ${varcharLength(type)} })`, helpers: ['varchar'] };
    },
    helpers: {
      id: { source: ID_HELPER, imports: [], helpers: ['varchar'] },
      jsonText: { source: jsonTextHelper('text', ''), imports: ['customType'] },
      utcTimestamp: {
        source: [
          '/** `integer` holding epoch milliseconds, read and written as a `Date`. */',
          'function utcTimestamp(name: string) {',
          "  return integer(name, { mode: 'timestamp_ms' });",
          '}',
        ].join('\n'),
        imports: ['integer'],
      },
      varchar: {
        source: [
          '/**',
          ' * `varchar(n)`, as the migrations declare it. SQLite gives it text affinity and does not enforce',
          ' * the length; the declared type is kept so the table matches the migrated one exactly.',
          ' */',
          'function varchar(name: string, config: { length: number }) {',
          '  return customType<{ data: string; driverData: string; config: { length: number } }>({',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the generated file
          '    dataType: (options) => `varchar(${options?.length})`,',
          '  })(name, config);',
          '}',
        ].join('\n'),
        imports: ['customType'],
      },
      bigint: {
        source: [
          '/** `bigint` (integer affinity), read as a JavaScript number. */',
          'function bigint(name: string) {',
          '  return customType<{ data: number; driverData: number | bigint }>({',
          "    dataType: () => 'bigint',",
          '    fromDriver: (value) => Number(value),',
          '  })(name);',
          '}',
        ].join('\n'),
        imports: ['customType'],
      },
    },
  },
};

/**
 * `varchar(n)` says its length. Typed to what is left once the other portable types are handled,
 * so a new portable type fails to compile until it is mapped.
 */
function varcharLength(type: `varchar(${number})`): number {
  const match = /^varchar\((\d+)\)$/.exec(type);
  if (!match) throw new Error(`no Drizzle column for the portable type "${type}"`);
  return Number(match[1]);
}

/** Names become identifiers and template text unescaped, and annotations must name real columns. */
function checkNames(table: TableSpec, annotation: TableAnnotation): void {
  const names = [
    table.name,
    ...table.columns.map((c) => c.name),
    ...(table.uniques ?? []).map((u) => u.name),
    ...(table.indexes ?? []).map((i) => i.name),
    ...(table.foreignKeys ?? []).map((fk) => fk.name),
  ];
  const bad = names.find((name) => !NAME_PATTERN.test(name));
  if (bad !== undefined) throw new Error(`table ${table.name}: "${bad}" is not a lower-case SQL name`);
  const columns = new Set(table.columns.map((c) => c.name));
  const unknown = Object.keys(annotation.columns ?? {}).find((name) => !columns.has(name));
  if (unknown !== undefined) throw new Error(`table ${table.name} has no column "${unknown}" to annotate`);
}

/** An import statement as Biome formats it: sorted, on one line when it fits. */
function importLine(names: string[], module: string): string {
  const sorted = [...names].sort((a, b) => compareNames(a.replace(/^type /, ''), b.replace(/^type /, '')));
  const line = `import { ${sorted.join(', ')} } from '${module}';`;
  if (line.length <= LINE_WIDTH) return line;
  return [`import {`, ...sorted.map((name) => `  ${name},`), `} from '${module}';`].join('\n');
}

/** Biome's order of imported names: by letter ignoring case, an upper-case letter first on a tie. */
function compareNames(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x === y) continue;
    const [lx, ly] = [x.toLowerCase(), y.toLowerCase()];
    if (lx !== ly) return lx < ly ? -1 : 1;
    return x === lx ? 1 : -1;
  }
  return a.length - b.length;
}

function jsDoc(text: string | undefined, indent: string): string[] {
  if (text === undefined) return [];
  const line = `${indent}/** ${text} */`;
  if (line.length <= LINE_WIDTH) return [line];
  return [`${indent}/**`, ...wrap(text, `${indent} * `), `${indent} */`];
}

/**
 * `text` in lines of at most {@link COMMENT_WIDTH} characters, each starting with `lead`. Code in
 * backticks stays on one line, so a command can be found and copied whole.
 */
function wrap(text: string, lead: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.match(/[^\s`]*`[^`]*`\S*|\S+/g) ?? []) {
    if (line && lead.length + line.length + 1 + word.length > COMMENT_WIDTH) {
      lines.push(lead + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(lead + line);
  return lines;
}

/** A table or constraint name behind the factory's prefix `p`. */
function prefixed(name: string): string {
  return `\`\${p}${name}\``;
}

/** `pc_audit_events` → `pcAuditEvents`. */
function camelCase(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/_+$/, '');
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
