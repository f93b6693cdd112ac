import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Storage } from '../ports/storage.js';
import { wrapStorage } from '../storage/wrap-storage.js';
import { apiKeyCases } from './storage-cases/api-key-cases.js';
import { auditCases } from './storage-cases/audit-cases.js';
import { clientCases } from './storage-cases/client-cases.js';
import { credentialFailureCases } from './storage-cases/credential-failure-cases.js';
import { invitationCases } from './storage-cases/invitation-cases.js';
import { membershipCases } from './storage-cases/membership-cases.js';
import { membershipChangeCases } from './storage-cases/membership-change-cases.js';
import { mfaCases } from './storage-cases/mfa-cases.js';
import { oauthAccountCases } from './storage-cases/oauth-account-cases.js';
import { oneTimeTokenCases } from './storage-cases/one-time-token-cases.js';
import { outboxCases } from './storage-cases/outbox-cases.js';
import { passkeyCases } from './storage-cases/passkey-cases.js';
import { policyCases } from './storage-cases/policy-cases.js';
import { rateLimitOverrideCases } from './storage-cases/rate-limit-override-cases.js';
import { refreshTokenCases } from './storage-cases/refresh-token-cases.js';
import { revokedAccessTokenCases } from './storage-cases/revoked-access-token-cases.js';
import { roleChangeCases } from './storage-cases/role-change-cases.js';
import { sessionCases } from './storage-cases/session-cases.js';
import { signInCases } from './storage-cases/sign-in-cases.js';
import { signingKeyCases } from './storage-cases/signing-key-cases.js';
import { tenantCases } from './storage-cases/tenant-cases.js';
import { transactionCases } from './storage-cases/transaction-cases.js';
import { userCases } from './storage-cases/user-cases.js';
import type { StorageCases } from './storage-fixtures.js';

export interface StorageConformanceOptions {
  /**
   * Returns the storage to test, over a migrated database. The database may hold other data and
   * be used by other test files at the same time: the suite writes fresh ids, random slugs and
   * emails, never assumes a table is empty and never deletes.
   */
  create: () => Promise<Storage>;
  /** Releases what `create` opened; gets what `create` returned. */
  destroy?: (storage: Storage) => Promise<void>;
  /** Test title → why this storage cannot pass it. The test is reported as skipped, with the reason. */
  skip?: Record<string, string>;
}

/**
 * Declares the storage conformance suite: every store method's promises, transactions and
 * rollback, unique conflicts, tenant scoping and the concurrency races. It tests the storage
 * through `wrapStorage()`, as core uses it. Run it in a vitest file of every adapter × database.
 *
 * @example
 * // packages/adapter-kysely/test/postgres.test.ts
 * describeStorageConformance('kysely + postgres', {
 *   create: async () => kyselyStorage(await migratedPostgres()),
 *   destroy: (storage) => storage.close?.() ?? Promise.resolve(),
 *   skip: { 'some test title': 'why this database cannot do it' },
 * })
 */
export function describeStorageConformance(name: string, options: StorageConformanceOptions): void {
  describe(`storage conformance: ${name}`, () => {
    let created: Storage | undefined;
    let wrapped: Storage | undefined;

    beforeAll(async () => {
      created = await options.create();
      wrapped = wrapStorage(created);
    });
    afterAll(async () => {
      if (created) await options.destroy?.(created);
    });

    const titles = new Set<string>();
    const cases: StorageCases = {
      it: (title, fn) => {
        if (titles.has(title)) throw new Error(`storage conformance: two tests are titled "${title}"`);
        titles.add(title);
        const reason = options.skip?.[title];
        if (reason === undefined) it(title, fn);
        else it.skip(`${title} (skipped: ${reason})`, fn);
      },
      storage: () => {
        if (!wrapped) throw new Error('storage conformance: create() did not finish');
        return wrapped;
      },
    };

    tenantCases(cases);
    userCases(cases);
    membershipCases(cases);
    membershipChangeCases(cases);
    roleChangeCases(cases);
    policyCases(cases);
    invitationCases(cases);
    sessionCases(cases);
    auditCases(cases);
    outboxCases(cases);
    transactionCases(cases);
    oneTimeTokenCases(cases);
    mfaCases(cases);
    credentialFailureCases(cases);
    passkeyCases(cases);
    oauthAccountCases(cases);
    signInCases(cases);
    signingKeyCases(cases);
    refreshTokenCases(cases);
    clientCases(cases);
    revokedAccessTokenCases(cases);
    apiKeyCases(cases);
    rateLimitOverrideCases(cases);

    // a skip that names no test is a typo, or a test that was renamed: it would hide nothing
    const unknown = Object.keys(options.skip ?? {}).filter((title) => !titles.has(title));
    if (unknown.length > 0) {
      throw new Error(`storage conformance: skip names no test: ${unknown.map((t) => `"${t}"`).join(', ')}`);
    }
  });
}
