import { parseArgs } from 'node:util';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, UsageError } from './cli-io.js';
import { parseDrizzleDialect, runGenerateDrizzleCommand } from './commands/generate-drizzle-command.js';
import { parseAlgorithm, parseKeysAction, runKeysCommand } from './commands/keys-command.js';
import { parseMigrateAction, runMigrateCommand } from './commands/migrate-command.js';
import { USAGE, USAGE_LINE } from './usage.js';
import { cliVersion } from './version.js';

/**
 * Runs the `portcullis` command line and resolves to its exit code; it never calls
 * `process.exit`, so tests (and scripts) can run it in-process.
 *
 * @example
 * const code = await runCli(['migrate', 'up', '--database-url', 'sqlite:./app.db'])
 * process.exitCode = code
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out: CliIo = { ...processIo(), ...io };
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'database-url': { type: 'string' },
        'table-prefix': { type: 'string' },
        steps: { type: 'string' },
        dialect: { type: 'string' },
        out: { type: 'string' },
        issuer: { type: 'string' },
        tenant: { type: 'string' },
        algorithm: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
    const [command, action, ...extra] = positionals;
    if (values.help) {
      out.stdout(USAGE);
      return EXIT_OK;
    }
    if (values.version) {
      out.stdout(cliVersion());
      return EXIT_OK;
    }
    if (command === undefined) throw new UsageError('no command given');
    if (command !== 'migrate' && command !== 'generate' && command !== 'keys') {
      throw new UsageError(`unknown command "${command}"`);
    }
    if (command === 'keys') {
      const keysAction = parseKeysAction(action);
      const [kid, ...more] = extra;
      if (more.length > 0 || (kid !== undefined && keysAction !== 'revoke')) {
        throw new UsageError(`unexpected argument "${more[0] ?? kid}"`);
      }
      const databaseUrl = values['database-url'] ?? out.env.DATABASE_URL;
      if (!databaseUrl) throw new UsageError('no database: pass --database-url <url> or set DATABASE_URL');
      if (!values.issuer)
        throw new UsageError('keys needs --issuer <url> (tokens.issuer, by default baseURL + basePath)');
      return await runKeysCommand(
        {
          action: keysAction,
          databaseUrl,
          tablePrefix: values['table-prefix'],
          issuer: values.issuer,
          tenantId: values.tenant,
          algorithm: parseAlgorithm(values.algorithm),
          kid,
        },
        out,
      );
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (command === 'generate') {
      if (action !== 'drizzle')
        throw new UsageError(`unknown generate command "${action ?? ''}"; use drizzle`);
      const misplaced = (['database-url', 'steps'] as const).find((name) => values[name] !== undefined);
      if (misplaced) throw new UsageError(`--${misplaced} does not apply to generate drizzle`);
      return await runGenerateDrizzleCommand(
        {
          dialect: parseDrizzleDialect(values.dialect),
          tablePrefix: values['table-prefix'],
          out: values.out,
        },
        out,
      );
    }
    const misplaced = (['dialect', 'out'] as const).find((name) => values[name] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} applies to generate drizzle, not migrate`);
    const migrateAction = parseMigrateAction(action);
    const databaseUrl = values['database-url'] ?? out.env.DATABASE_URL;
    if (!databaseUrl) throw new UsageError('no database: pass --database-url <url> or set DATABASE_URL');
    if (values.steps !== undefined && migrateAction !== 'up' && migrateAction !== 'down') {
      throw new UsageError(`--steps applies to migrate up and down, not ${migrateAction}`);
    }
    return await runMigrateCommand(
      {
        action: migrateAction,
        databaseUrl,
        tablePrefix: values['table-prefix'],
        steps: parseSteps(values.steps),
      },
      out,
    );
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      out.stderr(`portcullis: ${(error as Error).message}\n${USAGE_LINE}`);
      return EXIT_USAGE;
    }
    out.stderr(`portcullis: ${describeError(error)}`);
    return EXIT_FAILURE;
  }
}

function parseSteps(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'all') return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(value)) throw new UsageError(`--steps must be a whole number or "all", got "${value}"`);
  return Number(value);
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * The error's message, or its code when it has none (a refused connection is an AggregateError
 * with an empty message). Never the database URL: it may carry a password.
 */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || (typeof code === 'string' ? code : error.name);
  if (typeof code === 'string' && !message.includes(code)) return `${message} (${code})`;
  return message;
}
