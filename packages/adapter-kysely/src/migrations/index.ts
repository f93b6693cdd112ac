import { initialTables, migration0001Initial } from './0001-initial.js';
import { authorizationTables, migration0002Authorization } from './0002-authorization.js';
import { mfaTables, migration0003Mfa } from './0003-mfa.js';
import { migration0004OneTimeTokens, oneTimeTokenTables } from './0004-one-time-tokens.js';
import { migration0005Passkeys, passkeyTables } from './0005-passkeys.js';
import { migration0006OAuthAccounts, oauthAccountTables } from './0006-oauth-accounts.js';
import { credentialFailureTables, migration0007CredentialFailures } from './0007-credential-failures.js';
import {
  auditHeadPrevHashColumns,
  migration0008AuditPrevHash,
  withAddedColumns,
} from './0008-audit-prev-hash.js';
import { migration0009SigningKeys, signingKeyTables } from './0009-signing-keys.js';
import { migration0010RefreshTokens, refreshTokenTables } from './0010-refresh-tokens.js';
import { clientTables, migration0011Clients } from './0011-clients.js';
import { migration0012RevokedAccessTokens, revokedAccessTokenTables } from './0012-revoked-access-tokens.js';
import { apiKeyTables, migration0013ApiKeys } from './0013-api-keys.js';
import { apiKeyCreditColumns, migration0014ApiKeyCredits } from './0014-api-key-credits.js';
import { migration0015RateLimitOverrides, rateLimitOverrideTables } from './0015-rate-limit-overrides.js';
import { apiKeyLeakColumns, migration0016ApiKeyLeaks } from './0016-api-key-leaks.js';
import { migration0017OutboxRequestId, outboxRequestIdColumns } from './0017-outbox-request-id.js';
import type { Migration } from './migration.js';
import type { TableSpec } from './table-spec.js';

/** Every migration, in the order they apply. Append only: never edit or reorder a shipped one. */
export const migrations: readonly Migration[] = [
  migration0001Initial,
  migration0002Authorization,
  migration0003Mfa,
  migration0004OneTimeTokens,
  migration0005Passkeys,
  migration0006OAuthAccounts,
  migration0007CredentialFailures,
  migration0008AuditPrevHash,
  migration0009SigningKeys,
  migration0010RefreshTokens,
  migration0011Clients,
  migration0012RevokedAccessTokens,
  migration0013ApiKeys,
  migration0014ApiKeyCredits,
  migration0015RateLimitOverrides,
  migration0016ApiKeyLeaks,
  migration0017OutboxRequestId,
];

/**
 * Every table the migrations create, in creation order: what a database migrated to the latest
 * version holds (the Drizzle schema generator and the parity tests read it).
 */
export const schemaTables: readonly TableSpec[] = withAddedColumns(
  [
    ...initialTables,
    ...authorizationTables,
    ...mfaTables,
    ...oneTimeTokenTables,
    ...passkeyTables,
    ...oauthAccountTables,
    ...credentialFailureTables,
    ...signingKeyTables,
    ...refreshTokenTables,
    ...clientTables,
    ...revokedAccessTokenTables,
    ...apiKeyTables,
    ...rateLimitOverrideTables,
  ],
  [...auditHeadPrevHashColumns, ...apiKeyCreditColumns, ...apiKeyLeakColumns, ...outboxRequestIdColumns],
);

export { initialTables } from './0001-initial.js';
export { authorizationTables } from './0002-authorization.js';
export { mfaTables } from './0003-mfa.js';
export { oneTimeTokenTables } from './0004-one-time-tokens.js';
export { passkeyTables } from './0005-passkeys.js';
export { oauthAccountTables } from './0006-oauth-accounts.js';
export { credentialFailureTables } from './0007-credential-failures.js';
export { signingKeyTables } from './0009-signing-keys.js';
export { refreshTokenTables } from './0010-refresh-tokens.js';
export { clientTables } from './0011-clients.js';
export { revokedAccessTokenTables } from './0012-revoked-access-tokens.js';
export { apiKeyTables } from './0013-api-keys.js';
export { rateLimitOverrideTables } from './0015-rate-limit-overrides.js';
export { type Migration, type MigrationContext, migrationChecksum } from './migration.js';
export {
  type ColumnSpec,
  type ColumnType,
  type ForeignKeySpec,
  sqlType,
  type TableSpec,
} from './table-spec.js';
