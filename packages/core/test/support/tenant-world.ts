import { expect } from 'vitest';
import type { AuthConfig } from '../../src/index.js';
import { memoryStorage } from '../../src/memory/index.js';
import type { OutboxEvent } from '../../src/outbox/outbox.js';
import { fakeClock, PASSWORD, testAuth, uniqueEmail } from '../support.js';

export const randomSlug = (label = 'acme') => `${label}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * A tenant and its owner over HTTP on memory storage, with a fake clock, the mails sent and the
 * outbox events delivered (after `deliver()`), and helpers that add members by invitation.
 * Rate limits are off: these tests sign many users up from one address.
 */
export async function tenantWorld(
  options: { userPool?: 'shared' | 'isolated'; config?: Partial<AuthConfig> } = {},
) {
  const storage = memoryStorage();
  const clock = fakeClock(Date.now());
  const events: OutboxEvent[] = [];
  const { auth, client, sent } = testAuth({
    storage,
    clock,
    rateLimit: { enabled: false },
    outbox: { autoStart: false, subscribers: [{ name: 'capture', handle: (e) => void events.push(e) }] },
    ...options.config,
  });
  const owner = await client.signUp(uniqueEmail('owner'));
  const slug = randomSlug();
  const created = await client.post(
    '/tenants',
    { slug, name: 'Acme', userPool: options.userPool ?? 'shared' },
    owner.cookie,
  );
  expect(created.status).toBe(201);
  const tenantId = created.body.id as string;
  const base = `/tenants/${tenantId}`;

  const invite = (body: Record<string, unknown>, cookie: string | null = owner.cookie) =>
    client.post(`${base}/invitations`, body, cookie);

  /** A new user who joins with `roles`: by accepting (shared pool) or by signing up (isolated). */
  async function addMember(roles: string[], label = 'member') {
    const invitation = await invite({ roles });
    expect(invitation.status).toBe(201);
    if (options.userPool === 'isolated') {
      return client.signUp(uniqueEmail(label), PASSWORD, { invitationToken: invitation.body.token });
    }
    const user = await client.signUp(uniqueEmail(label));
    const accepted = await client.post('/invitations/accept', { token: invitation.body.token }, user.cookie);
    expect(accepted.status).toBe(201);
    return user;
  }

  const patchMember = (userId: string, body: unknown, cookie: string | null) =>
    client.call('PATCH', `${base}/members/${userId}`, { body, cookie });
  const removeMember = (userId: string, cookie: string | null) =>
    client.call('DELETE', `${base}/members/${userId}`, { cookie });

  async function auditActions(limit = 20) {
    return (await storage.audit.list(tenantId, { limit })).map((e) => e.action);
  }

  async function deliver() {
    while ((await auth.outbox.dispatchOnce()) > 0);
    return events;
  }

  return {
    auth,
    client,
    storage,
    clock,
    sent,
    events,
    owner,
    slug,
    tenantId,
    base,
    invite,
    addMember,
    patchMember,
    removeMember,
    auditActions,
    deliver,
  };
}
