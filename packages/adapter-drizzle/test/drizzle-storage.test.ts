import { drizzleStorage } from '@portcullis/adapter-drizzle';
import { portcullisTables } from '@portcullis/adapter-drizzle/pg';
import { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';

describe('drizzleStorage without a database', () => {
  it('refuses an asynchronous SQLite driver, whose transactions it cannot open itself', () => {
    const asyncSqlite = Object.assign(Object.create(BaseSQLiteDatabase.prototype), { resultKind: 'async' });
    expect(() => drizzleStorage(asyncSqlite)).toThrow(/synchronous drivers \(better-sqlite3\)/);
  });

  it('refuses an object that is no Drizzle database unless told the dialect', () => {
    expect(() => drizzleStorage({} as never)).toThrow(/cannot tell the dialect/);
  });

  it('names tables and indexes with the prefix, and refuses a prefix the migrations would refuse', () => {
    const tables = portcullisTables('auth_');
    // in the order the migrations create them
    expect(Object.keys(tables)).toEqual([
      'tenants',
      'users',
      'passwords',
      'memberships',
      'roles',
      'sessions',
      'auditChainHeads',
      'auditEvents',
      'outboxEvents',
      'policies',
      'authzVersions',
      'invitations',
      'totpCredentials',
      'recoveryCodes',
      'oneTimeTokens',
      'passkeys',
      'oauthAccounts',
      'credentialFailures',
      'signingKeys',
      'refreshTokens',
      'clients',
      'revokedAccessTokens',
      'apiKeys',
      'rateLimitOverrides',
    ]);
    expect(() => portcullisTables('Auth-')).toThrow(/invalid tablePrefix/);
    expect(() => portcullisTables('a'.repeat(25))).toThrow(/invalid tablePrefix/);
  });
});
