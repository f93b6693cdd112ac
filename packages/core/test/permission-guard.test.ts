import { describe, expect, it } from 'vitest';
import { type AuthError, isAuthError } from '../src/errors.js';
import { problemResponse } from '../src/http/problem.js';
import { testAuth, uniqueEmail } from './support.js';

async function tenantWithOwner() {
  const { auth, client } = testAuth({
    authorization: {
      policies: [
        {
          id: 'no-archived-edits',
          effect: 'deny',
          actions: ['document.update'],
          resource: 'document',
          condition: { eq: [{ ref: 'resource.archived' }, true] },
        },
      ],
    },
  });
  const owner = await client.signUp(uniqueEmail('owner'));
  const slug = `guard-${Math.random().toString(36).slice(2, 10)}`;
  const tenant = await client.post('/tenants', { slug, name: 'Guarded', userPool: 'isolated' }, owner.cookie);
  const outsider = await client.signUp(uniqueEmail('outsider'));
  return {
    auth,
    tenantId: tenant.body.id as string,
    ownerId: owner.body.user.id as string,
    outsiderId: outsider.body.user.id as string,
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe('auth.api.requirePermission', () => {
  it('returns the allowing decision', async () => {
    const { auth, tenantId, ownerId } = await tenantWithOwner();
    const decision = await auth.api.requirePermission({ userId: ownerId, tenantId, action: 'member.remove' });
    expect(decision).toEqual({
      allowed: true,
      reason: expect.objectContaining({ kind: 'role', key: 'owner' }),
    });
  });

  it('answers a user who is not a member with not_found, whatever the tenant id', async () => {
    const { auth, tenantId, outsiderId } = await tenantWithOwner();
    const real = await failure(
      auth.api.requirePermission({ userId: outsiderId, tenantId, action: 'member.read' }),
    );
    const madeUp = await failure(
      auth.api.requirePermission({
        userId: outsiderId,
        tenantId: '01890000-0000-7000-8000-000000000000',
        action: 'member.read',
      }),
    );
    expect(isAuthError(real, 'not_found')).toBe(true);
    expect(isAuthError(madeUp, 'not_found')).toBe(true);
    expect((real as AuthError).detail).toBe((madeUp as AuthError).detail);
  });

  it('answers a denied member with forbidden carrying the reason, shown in the problem body', async () => {
    const { auth, tenantId, ownerId } = await tenantWithOwner();
    const denied = await failure(
      auth.api.requirePermission({
        userId: ownerId,
        tenantId,
        action: 'document.update',
        resource: { type: 'document', archived: true },
      }),
    );
    expect(isAuthError(denied, 'forbidden')).toBe(true);
    const response = problemResponse(denied as AuthError, 'req-1');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'forbidden',
      detail: 'not allowed: document.update',
      reason: { kind: 'deny_policy', id: 'no-archived-edits' },
    });
  });
});
