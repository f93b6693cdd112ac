import { type PortcullisMysqlTables, portcullisTables } from './tables.js';

export { type PortcullisMysqlTables, portcullisTables } from './tables.js';

const defaultTables: PortcullisMysqlTables = portcullisTables();

// The tables with the default prefix `pc_`, one export each, so that an app's drizzle-kit schema
// can re-export them: `export * from '@portcullis/adapter-drizzle/mysql'`.
export const pcTenants = defaultTables.tenants;
export const pcUsers = defaultTables.users;
export const pcPasswords = defaultTables.passwords;
export const pcMemberships = defaultTables.memberships;
export const pcRoles = defaultTables.roles;
export const pcPolicies = defaultTables.policies;
export const pcAuthzVersions = defaultTables.authzVersions;
export const pcInvitations = defaultTables.invitations;
export const pcSessions = defaultTables.sessions;
export const pcAuditChainHeads = defaultTables.auditChainHeads;
export const pcAuditEvents = defaultTables.auditEvents;
export const pcOutboxEvents = defaultTables.outboxEvents;
export const pcOneTimeTokens = defaultTables.oneTimeTokens;
export const pcTotpCredentials = defaultTables.totpCredentials;
export const pcRecoveryCodes = defaultTables.recoveryCodes;
export const pcCredentialFailures = defaultTables.credentialFailures;
export const pcPasskeys = defaultTables.passkeys;
export const pcOauthAccounts = defaultTables.oauthAccounts;
