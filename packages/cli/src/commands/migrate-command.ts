import {
  checkMigrations,
  createKyselyFromUrl,
  type MigrationStatusEntry,
  migrate,
  migrationStatus,
} from '@portcullis/adapter-kysely';
import { type CliIo, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-io.js';

export type MigrateAction = 'up' | 'down' | 'status' | 'check';

export interface MigrateCommand {
  action: MigrateAction;
  databaseUrl: string;
  tablePrefix: string | undefined;
  steps: number | undefined;
}

/** Runs one `portcullis migrate <action>`; the connection is always closed again. */
export async function runMigrateCommand(command: MigrateCommand, io: CliIo): Promise<number> {
  const { db, close } = await createKyselyFromUrl(command.databaseUrl);
  const options = { tablePrefix: command.tablePrefix };
  try {
    switch (command.action) {
      case 'up':
      case 'down': {
        const { executed } = await migrate(db, {
          ...options,
          direction: command.action,
          steps: command.steps,
        });
        const verb = command.action === 'up' ? 'applied' : 'reverted';
        if (executed.length === 0)
          io.stdout(command.action === 'up' ? 'already up to date' : 'nothing to revert');
        for (const id of executed) io.stdout(`${verb} ${id}`);
        return EXIT_OK;
      }
      case 'status': {
        io.stdout(formatStatus(await migrationStatus(db, options)));
        return EXIT_OK;
      }
      case 'check': {
        const { pending, mismatched, unknown } = await checkMigrations(db, options);
        if (unknown.length > 0) {
          io.stdout(`note: the database has migrations this version does not know: ${unknown.join(', ')}`);
        }
        if (pending.length === 0 && mismatched.length === 0) {
          io.stdout('up to date');
          return EXIT_OK;
        }
        if (pending.length > 0) io.stderr(`pending migrations: ${pending.join(', ')}`);
        if (mismatched.length > 0) {
          io.stderr(
            `migrations changed after they were applied (checksum mismatch): ${mismatched.join(', ')}`,
          );
        }
        return EXIT_FAILURE;
      }
    }
  } finally {
    await close();
  }
}

/** `portcullis migrate` alone means `migrate up`, the command a new user runs first. */
export function parseMigrateAction(value: string | undefined): MigrateAction {
  if (value === undefined) return 'up';
  if (value === 'up' || value === 'down' || value === 'status' || value === 'check') return value;
  throw new UsageError(`unknown migrate command "${value}"; use up, down, status or check`);
}

function formatStatus(entries: MigrationStatusEntry[]): string {
  const rows = entries.map((entry) => [
    entry.id,
    entry.unknown ? 'unknown' : entry.mismatched ? 'changed' : entry.pending ? 'pending' : 'applied',
    entry.appliedAt?.toISOString() ?? '',
  ]);
  const table = [['MIGRATION', 'STATE', 'APPLIED AT'], ...rows];
  const widths = [0, 1].map((column) => Math.max(...table.map((row) => row[column]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
