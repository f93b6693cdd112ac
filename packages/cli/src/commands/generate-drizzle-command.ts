import { writeFile } from 'node:fs/promises';
import { type CliIo, EXIT_OK, UsageError } from '../cli-io.js';
import {
  DRIZZLE_SCHEMA_DIALECTS,
  type DrizzleSchemaDialect,
  renderDrizzleSchema,
} from './drizzle-schema-source.js';

export interface GenerateDrizzleCommand {
  dialect: DrizzleSchemaDialect;
  tablePrefix: string | undefined;
  /** The file to write; stdout when absent. */
  out: string | undefined;
}

const PREFIX_PATTERN = /^([a-z][a-z0-9_]{0,23})?$/;

/** Runs `portcullis generate drizzle`: the Drizzle schema file, written to `out` or stdout. */
export async function runGenerateDrizzleCommand(command: GenerateDrizzleCommand, io: CliIo): Promise<number> {
  // the migrations' own rule: a schema naming tables they would refuse to create is no use
  if (command.tablePrefix !== undefined && !PREFIX_PATTERN.test(command.tablePrefix)) {
    throw new UsageError(
      `--table-prefix must be lower-case letters, digits and _, starting with a letter, at most 24 characters; got "${command.tablePrefix}"`,
    );
  }
  const source = renderDrizzleSchema({ dialect: command.dialect, tablePrefix: command.tablePrefix });
  if (command.out === undefined) {
    io.stdout(source.trimEnd());
    return EXIT_OK;
  }
  await writeFile(command.out, source, 'utf8');
  io.stdout(`wrote ${command.out}`);
  return EXIT_OK;
}

export function parseDrizzleDialect(value: string | undefined): DrizzleSchemaDialect {
  if (value === undefined) throw new UsageError('generate drizzle needs --dialect pg, mysql or sqlite');
  if ((DRIZZLE_SCHEMA_DIALECTS as readonly string[]).includes(value)) return value as DrizzleSchemaDialect;
  throw new UsageError(`unknown --dialect "${value}"; use pg, mysql or sqlite`);
}
