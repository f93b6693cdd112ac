import { randomBytes } from 'node:crypto';
import { createKyselyFromUrl, kyselyStorage } from '@portcullis/adapter-kysely';
import { createAuth, type SigningKeyInfo, silentLogger } from '@portcullis/core';
import { type CliIo, EXIT_OK, UsageError } from '../cli-io.js';

export type KeysAction = 'list' | 'rotate' | 'revoke';

export interface KeysCommand {
  action: KeysAction;
  databaseUrl: string;
  tablePrefix: string | undefined;
  /** The issuer whose keys these are (`tokens.issuer`, by default the auth base URL). */
  issuer: string;
  /** An isolated-pool tenant whose own issuer's keys these are (`tokens.tenantIssuers`). */
  tenantId?: string | undefined;
  algorithm: 'EdDSA' | 'ES256' | 'RS256' | undefined;
  /** For revoke: the key. */
  kid: string | undefined;
}

/** The environment variable holding the key-encryption keys, newest first: `k2:<secret>,k1:<secret>`. */
export const KEK_ENV = 'PORTCULLIS_KEY_ENCRYPTION_KEYS';

/**
 * Runs one `portcullis keys <action>` over the database, as the app's own `auth.api` would
 * (same rules, audit entries and outbox events). Key-encryption keys come from the environment,
 * never from the command line (which other users of the machine can read).
 */
export async function runKeysCommand(command: KeysCommand, io: CliIo): Promise<number> {
  const keyEncryptionKeys = parseKeyEncryptionKeys(io.env[KEK_ENV]);
  if (command.action !== 'list' && keyEncryptionKeys.length === 0) {
    throw new UsageError(`keys ${command.action} needs the key-encryption keys in $${KEK_ENV} (k1:<secret>)`);
  }
  const { db, close } = await createKyselyFromUrl(command.databaseUrl);
  const auth = createAuth({
    storage: kyselyStorage(db, { tablePrefix: command.tablePrefix }),
    // nothing this command does is sealed with the app secret; a throwaway one keeps it apart
    secret: randomBytes(32).toString('base64'),
    baseURL: command.issuer,
    logger: silentLogger,
    outbox: { autoStart: false },
    tokens: {
      issuer: command.issuer,
      tenantIssuers: command.tenantId !== undefined,
      signingKeys: {
        algorithms: command.algorithm ? [command.algorithm] : ['EdDSA', 'ES256', 'RS256'],
        ...(keyEncryptionKeys.length > 0 ? { keyEncryptionKeys } : {}),
      },
    },
  });
  const context = { actor: { type: 'system' as const, id: 'portcullis-cli' } };
  const issuer = command.tenantId === undefined ? {} : { tenantId: command.tenantId };
  try {
    switch (command.action) {
      case 'list':
        io.stdout(formatKeys(await auth.api.listSigningKeys(issuer)));
        return EXIT_OK;
      case 'rotate':
        io.stdout(
          formatKeys(await auth.api.rotateSigningKeys({ algorithm: command.algorithm, ...issuer }, context)),
        );
        return EXIT_OK;
      case 'revoke': {
        if (!command.kid) throw new UsageError('keys revoke needs the kid: portcullis keys revoke <kid>');
        const revoked = await auth.api.revokeSigningKey(command.kid, issuer, context);
        io.stdout(`revoked ${revoked.kid} (${revoked.algorithm})`);
        return EXIT_OK;
      }
    }
  } finally {
    await auth.close();
    await close();
  }
}

export function parseKeysAction(value: string | undefined): KeysAction {
  if (value === 'list' || value === 'rotate' || value === 'revoke') return value;
  throw new UsageError(`unknown keys command "${value ?? ''}"; use list, rotate or revoke`);
}

export function parseAlgorithm(value: string | undefined): KeysCommand['algorithm'] {
  if (value === undefined || value === 'EdDSA' || value === 'ES256' || value === 'RS256') return value;
  throw new UsageError(`--algorithm must be EdDSA, ES256 or RS256, got "${value}"`);
}

function parseKeyEncryptionKeys(value: string | undefined): Array<{ version: string; secret: string }> {
  if (!value) return [];
  return value.split(',').map((entry) => {
    const at = entry.indexOf(':');
    if (at <= 0) throw new UsageError(`$${KEK_ENV} must be version:secret pairs, comma-separated`);
    return { version: entry.slice(0, at).trim(), secret: entry.slice(at + 1).trim() };
  });
}

function formatKeys(keys: SigningKeyInfo[]): string {
  const rows = keys.map((k) => [
    k.kid,
    k.algorithm,
    k.state,
    k.published ? 'yes' : 'no',
    k.keyEncryptionKeyVersion,
    k.createdAt.toISOString(),
    (k.revokedAt ?? k.retiredAt ?? k.activatedAt)?.toISOString() ?? '',
  ]);
  const table = [['KID', 'ALG', 'STATE', 'PUBLISHED', 'KEK', 'CREATED', 'CHANGED'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
