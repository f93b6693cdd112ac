import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import type { StorageConformanceOptions } from '../storage-conformance.js';
import { openConformanceAuth } from './conformance-auth.js';

const PASSWORD = 'correct horse battery staple';

const unique = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;
const email = (label: string) => `${unique(label)}@example.test`;

/**
 * Declares the tenant-administration HTTP suite for members and invitations: `auth.handler`
 * over the storage under test, driving the routes as a client would, with the rules that depend
 * on the database — atomic invitation uses (20 concurrent accepts of 3 uses), the last-owner rule
 * under concurrent demotions, removal revoking access on the next request, tenant isolation of
 * ids, and bad input writing nothing. Run it beside `describeStorageConformance` in every
 * adapter × database test file; `create` should give it tables of its own.
 *
 * @example
 * describeMembersAndInvitationsConformance('kysely + postgres', kyselyConformance(database))
 */
export function describeMembersAndInvitationsConformance(
  name: string,
  options: StorageConformanceOptions,
): void {
  describe(`members and invitations over HTTP: ${name}`, () => {
    const world = openConformanceAuth(options);

    const db = () => world.auth.api;
    const signUp = async (address = email('user'), extra: Record<string, unknown> = {}) => {
      const res = await world.call('POST', '/signup', { email: address, password: PASSWORD, ...extra });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { id: res.body.user.id as string, email: address, cookie: res.cookie! };
    };

    async function tenant(userPool: 'shared' | 'isolated' = 'shared') {
      const owner = await signUp(email('owner'));
      const slug = unique('t');
      const created = await world.call('POST', '/tenants', { slug, name: 'Acme', userPool }, owner.cookie);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const invite = async (body: Record<string, unknown>, cookie = owner.cookie) =>
        world.call('POST', `/tenants/${id}/invitations`, body, cookie);
      const join = async (roles: string[]) => {
        const invitation = await invite({ roles });
        const user = await signUp();
        const accepted = await world.call(
          'POST',
          '/invitations/accept',
          { token: invitation.body.token },
          user.cookie,
        );
        expect(accepted.status).toBe(201);
        return user;
      };
      return { id, slug, owner, invite, join };
    }

    const uses = async (token: string) =>
      (await world.storage.invitations.findByTokenHash(sha256Hex(token)))?.uses;

    it('accepts an invitation into a membership with its roles, recorded in the audit log', async () => {
      const t = await tenant();
      const user = await signUp();
      // an email invitation needs the address proven
      expect(await world.storage.users.markEmailVerified(user.id, user.email, new Date())).toBe(true);
      const invitation = await t.invite({ email: user.email, roles: ['member', 'viewer'] });
      expect(invitation.status).toBe(201);

      const accepted = await world.call(
        'POST',
        '/invitations/accept',
        { token: invitation.body.token },
        user.cookie,
      );

      expect(accepted.status).toBe(201);
      expect(accepted.body).toMatchObject({ tenantId: t.id, userId: user.id, roles: ['member', 'viewer'] });
      expect(await uses(invitation.body.token)).toBe(1);
      const actions = (await world.storage.audit.list(t.id, { limit: 2 })).map((e) => e.action);
      expect(actions).toEqual(['member.added', 'invitation.accepted']);
      const listed = await world.call('GET', `/tenants/${t.id}/invitations`, undefined, t.owner.cookie);
      expect(listed.body.items[0]).toMatchObject({ id: invitation.body.id, uses: 1, status: 'exhausted' });
      expect(listed.body.items[0].tokenHash).toBeUndefined();
    });

    it('of 20 concurrent accepts of an invitation with 3 uses, exactly 3 make members', async () => {
      const t = await tenant();
      const invitation = await t.invite({ roles: ['viewer'], maxUses: 3 });
      const users = await Promise.all(Array.from({ length: 20 }, () => signUp()));

      const results = await Promise.all(
        users.map((u) =>
          world.call('POST', '/invitations/accept', { token: invitation.body.token }, u.cookie),
        ),
      );

      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      for (const r of results.filter((r) => r.status !== 201)) {
        expect([r.status, r.body.code]).toEqual([410, 'invitation_used_up']);
      }
      const members = await db().listMembers(t.id, t.owner.id, { limit: 50 });
      expect(members.items).toHaveLength(4);
      expect(await uses(invitation.body.token)).toBe(3);
    });

    it('refuses an email invitation to a user whose matching address is not verified, and uses nothing', async () => {
      const t = await tenant();
      const squatter = await signUp();
      const invitation = await t.invite({ email: squatter.email.toUpperCase(), roles: ['member'] });

      const refused = await world.call(
        'POST',
        '/invitations/accept',
        { token: invitation.body.token },
        squatter.cookie,
      );

      expect([refused.status, refused.body.code]).toEqual([403, 'email_not_verified']);
      expect(await uses(invitation.body.token)).toBe(0);
      expect(await world.storage.memberships.find(t.id, squatter.id)).toBeNull();
      // open links are unchanged: anyone holding the token joins
      const link = await t.invite({ roles: ['viewer'] });
      const joined = await world.call(
        'POST',
        '/invitations/accept',
        { token: link.body.token },
        squatter.cookie,
      );
      expect(joined.status).toBe(201);
    });

    it('leaves the uses unchanged when an accept fails: member already, another email, expired', async () => {
      const t = await tenant();
      const member = await t.join(['viewer']);
      const link = await t.invite({ roles: ['member'], maxUses: 5 });
      const forOther = await t.invite({ email: email('other'), roles: ['member'] });
      const expiring = await t.invite({ roles: ['member'], expiresInSeconds: 60 });

      const already = await world.call(
        'POST',
        '/invitations/accept',
        { token: link.body.token },
        member.cookie,
      );
      const mismatch = await world.call(
        'POST',
        '/invitations/accept',
        { token: forOther.body.token },
        member.cookie,
      );
      world.nowMs += 61_000;
      const expired = await world.call(
        'POST',
        '/invitations/accept',
        { token: expiring.body.token },
        (await signUp()).cookie,
      );

      expect([already.status, already.body.code]).toEqual([409, 'already_member']);
      expect([mismatch.status, mismatch.body.code]).toEqual([403, 'invitation_email_mismatch']);
      expect([expired.status, expired.body.code]).toEqual([410, 'invitation_expired']);
      for (const token of [link.body.token, forOther.body.token, expiring.body.token])
        expect(await uses(token)).toBe(0);
    });

    it('signs a user up into an isolated tenant with an invitation, or writes nothing when the token is bad', async () => {
      const t = await tenant('isolated');
      const invitation = await t.invite({ roles: ['member'] });
      const newcomer = email('newcomer');

      const bad = await world.call('POST', '/signup', {
        email: newcomer,
        password: PASSWORD,
        invitationToken: 'z'.repeat(43),
      });
      expect([bad.status, bad.body.code]).toEqual([400, 'invitation_invalid']);
      expect(await world.storage.users.findByEmail(t.id, newcomer)).toBeNull();
      expect(await world.storage.users.findByEmail(null, newcomer)).toBeNull();

      const user = await signUp(newcomer, { invitationToken: invitation.body.token });
      const found = await world.storage.users.findByEmail(t.id, newcomer);
      expect(found?.id).toBe(user.id);
      expect(await world.storage.memberships.find(t.id, user.id)).toMatchObject({ roles: ['member'] });
    });

    it('keeps the last owner: alone they can neither leave nor be demoted', async () => {
      const t = await tenant();
      const leave = await world.call(
        'DELETE',
        `/tenants/${t.id}/members/${t.owner.id}`,
        undefined,
        t.owner.cookie,
      );
      const demote = await world.call(
        'PATCH',
        `/tenants/${t.id}/members/${t.owner.id}`,
        { roles: ['admin'] },
        t.owner.cookie,
      );
      for (const res of [leave, demote]) expect([res.status, res.body.code]).toEqual([409, 'last_owner']);
      expect(await world.storage.memberships.countWithRole(t.id, 'owner')).toBe(1);
    });

    it('of two owners demoting each other at the same time, exactly one succeeds', async () => {
      const t = await tenant();
      const second = await t.join(['owner']);

      const results = await Promise.all([
        world.call('PATCH', `/tenants/${t.id}/members/${second.id}`, { roles: ['admin'] }, t.owner.cookie),
        world.call('PATCH', `/tenants/${t.id}/members/${t.owner.id}`, { roles: ['admin'] }, second.cookie),
      ]);

      // the loser is refused either by the last-owner rule (409) or, when the winner committed
      // before its permission check, because as a mere admin it cannot touch an owner (403)
      const [won, lost] = results.map((r) => r.status).sort();
      expect(won).toBe(200);
      expect([403, 409]).toContain(lost);
      expect(await world.storage.memberships.countWithRole(t.id, 'owner')).toBe(1);
    });

    it('of two owners leaving at the same time, exactly one leaves', async () => {
      const t = await tenant();
      const second = await t.join(['owner']);

      const results = await Promise.all([
        world.call('DELETE', `/tenants/${t.id}/members/${t.owner.id}`, undefined, t.owner.cookie),
        world.call('DELETE', `/tenants/${t.id}/members/${second.id}`, undefined, second.cookie),
      ]);

      expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
      expect(await world.storage.memberships.countWithRole(t.id, 'owner')).toBe(1);
    });

    it('removes a member: their next request to the tenant gets 404 and their sessions in it are revoked', async () => {
      const t = await tenant();
      const member = await t.join(['member']);
      const bound = await world.call('POST', '/login', {
        email: member.email,
        password: PASSWORD,
        tenant: t.slug,
      });
      expect(bound.body.session.tenantId).toBe(t.id);

      const removed = await world.call(
        'DELETE',
        `/tenants/${t.id}/members/${member.id}`,
        undefined,
        t.owner.cookie,
      );

      expect(removed.status).toBe(204);
      const next = await world.call('GET', `/tenants/${t.id}/members`, undefined, member.cookie);
      expect([next.status, next.body.code]).toEqual([404, 'not_found']);
      expect((await world.call('GET', '/session', undefined, bound.cookie)).status).toBe(401);
      expect((await world.call('GET', '/session', undefined, member.cookie)).status).toBe(200);
      expect((await world.storage.audit.list(t.id, { limit: 1 }))[0]).toMatchObject({
        action: 'member.removed',
        data: { revokedSessions: 1 },
      });
    });

    it("answers 404 to ids of another tenant's members and invitations", async () => {
      const mine = await tenant();
      const theirs = await tenant();
      const theirMember = await theirs.join(['member']);
      const theirInvitation = await theirs.invite({ roles: ['viewer'] });

      const responses = [
        await world.call(
          'PATCH',
          `/tenants/${mine.id}/members/${theirMember.id}`,
          { roles: ['viewer'] },
          mine.owner.cookie,
        ),
        await world.call(
          'DELETE',
          `/tenants/${mine.id}/members/${theirMember.id}`,
          undefined,
          mine.owner.cookie,
        ),
        await world.call(
          'DELETE',
          `/tenants/${mine.id}/invitations/${theirInvitation.body.id}`,
          undefined,
          mine.owner.cookie,
        ),
        await world.call(
          'PATCH',
          `/tenants/${theirs.id}/members/${theirMember.id}`,
          { roles: ['viewer'] },
          mine.owner.cookie,
        ),
        await world.call(
          'DELETE',
          `/tenants/${theirs.id}/invitations/${theirInvitation.body.id}`,
          undefined,
          mine.owner.cookie,
        ),
      ];

      for (const res of responses) expect([res.status, res.body.code]).toEqual([404, 'not_found']);
      expect(await world.storage.memberships.find(theirs.id, theirMember.id)).toMatchObject({
        roles: ['member'],
      });
      expect(
        (await world.storage.invitations.findByTokenHash(sha256Hex(theirInvitation.body.token)))?.status,
      ).toBe('pending');
    });

    it('answers bad input with problem+json and a code, and writes nothing', async () => {
      const t = await tenant();
      const member = await t.join(['viewer']);
      const before = await world.storage.memberships.find(t.id, member.id);
      const auditBefore = await world.storage.audit.list(t.id, { limit: 1 });

      const responses = [
        await world.call(
          'PATCH',
          `/tenants/${t.id}/members/${member.id}`,
          { roles: ['ghost'] },
          t.owner.cookie,
        ),
        await world.call('PATCH', `/tenants/${t.id}/members/${member.id}`, { roles: [] }, t.owner.cookie),
        await world.call(
          'PATCH',
          `/tenants/${t.id}/members/${member.id}`,
          { attributes: 'flat' },
          t.owner.cookie,
        ),
        await t.invite({ roles: ['ghost'] }),
        await t.invite({ roles: ['member'], maxUses: 100_000 }),
        await world.call('POST', '/invitations/accept', { token: 'q'.repeat(43) }, member.cookie),
      ];

      expect(responses.map((r) => [r.status, r.body.code])).toEqual([
        [422, 'unknown_role'],
        [400, 'invalid_request'],
        [400, 'invalid_request'],
        [422, 'unknown_role'],
        [400, 'invalid_request'],
        [400, 'invitation_invalid'],
      ]);
      for (const res of responses) expect(res.contentType).toMatch(/application\/problem\+json/);
      expect(await world.storage.memberships.find(t.id, member.id)).toEqual(before);
      expect(await world.storage.audit.list(t.id, { limit: 1 })).toEqual(auditBefore);
      expect((await db().listInvitations(t.id, t.owner.id)).items).toHaveLength(1); // the one `join` used
    });
  });
}
