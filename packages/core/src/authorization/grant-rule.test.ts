import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors.js';
import { assertCanGrant } from './grant-rule.js';
import type { Role } from './roles.js';

const role = (key: string, permissions: string[]): Role => ({
  id: key,
  tenantId: 't',
  key,
  name: key,
  permissions,
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

const roles = [role('editor', ['document.*', 'member.read']), role('owner', ['*'])];

describe('assertCanGrant', () => {
  it('allows what one of the caller’s roles covers, wildcards included', () => {
    expect(() =>
      assertCanGrant(roles, ['editor'], ['document.read', 'document.*', 'member.read']),
    ).not.toThrow();
    expect(() => assertCanGrant(roles, ['owner'], ['*', 'billing.refund'])).not.toThrow();
  });

  it('refuses what no role of the caller covers, naming it', () => {
    let error: unknown;
    try {
      assertCanGrant(roles, ['editor'], ['document.read', 'member.*', '*']);
    } catch (e) {
      error = e;
    }
    expect(isAuthError(error, 'forbidden')).toBe(true);
    expect((error as Error).message).toMatch(/do not hold: member\.\*, \*$/);
  });

  it('ignores roles of the tenant the caller does not have', () => {
    expect(() => assertCanGrant(roles, ['editor'], ['billing.refund'])).toThrow(/do not hold/);
  });
});
