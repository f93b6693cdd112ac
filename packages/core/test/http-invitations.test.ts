import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/random.js';
import { uuidv7 } from '../src/crypto/uuid.js';
import { tenantWorld } from './support/tenant-world.js';
import { httpClient, PASSWORD, uniqueEmail } from './support.js';

const DAY = 86_400;

describe('invitations over HTTP: creating, listing, revoking', () => {
  it('creates an email invitation: the token is shown once, only its hash is stored, and the mail carries the link', async () => {
    const world = await tenantWorld({
      config: { invitations: { acceptUrl: 'https://app.example.com/join' } },
    });
    const email = uniqueEmail('Invitee').toUpperCase();

    const res = await world.invite({ email, roles: ['member'] });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tenantId: world.tenantId,
      email: email.toLowerCase(),
      roles: ['member'],
      maxUses: 1,
      uses: 0,
      status: 'pending',
      createdBy: world.owner.body.user.id,
    });
    const token = res.body.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(res.body.tokenHash).toBeUndefined();
    expect(Date.parse(res.body.expiresAt) - world.clock.now().getTime()).toBe(7 * DAY * 1000);
    const stored = await world.storage.invitations.findByTokenHash(sha256Hex(token));
    expect(stored?.id).toBe(res.body.id);
    expect(JSON.stringify(stored)).not.toContain(token);

    const events = await world.deliver();
    const created = events.find((e) => e.type === 'invitation.created');
    expect(created?.payload).toMatchObject({ invitationId: res.body.id, email: email.toLowerCase() });
    // the outbox row holds the link sealed, never the token in clear
    expect(JSON.stringify(created)).not.toContain(token);
    const audit = await world.storage.audit.list(world.tenantId, { limit: 1 });
    expect(audit[0]?.action).toBe('invitation.created');
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]).toMatchObject({ to: email.toLowerCase(), subject: 'You are invited to join Acme' });
    expect(world.sent[0]!.text).toContain(`https://app.example.com/join?token=${token}`);
    expect(world.sent[0]!.text).not.toContain('{{link}}');
  });

  it('sends no mail for an open link', async () => {
    const world = await tenantWorld();
    const res = await world.invite({ roles: ['viewer'], maxUses: 50, expiresInSeconds: 3600 });
    expect(res.body).toMatchObject({ email: null, maxUses: 50 });
    expect(Date.parse(res.body.expiresAt) - world.clock.now().getTime()).toBe(3600 * 1000);
    await world.deliver();
    expect(world.sent).toEqual([]);
  });

  it('answers bad input with problem+json and a code, and writes nothing', async () => {
    const world = await tenantWorld();
    const cases: [unknown, number, string][] = [
      [{ roles: ['ghost'] }, 422, 'unknown_role'],
      [{ roles: [] }, 400, 'invalid_request'],
      [{ email: 'a@example.com', roles: ['member'], maxUses: 2 }, 400, 'invalid_request'],
      [{ roles: ['member'], maxUses: 1001 }, 400, 'invalid_request'],
      [{ roles: ['member'], maxUses: 0 }, 400, 'invalid_request'],
      [{ roles: ['member'], expiresInSeconds: 30 * DAY + 1 }, 400, 'invalid_request'],
      [{ roles: ['member'], expiresInSeconds: 10 }, 400, 'invalid_request'],
      [{ email: 'not-an-email', roles: ['member'] }, 400, 'invalid_request'],
      [{ roles: ['member'], token: 'chosen' }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await world.invite(body as Record<string, unknown>);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe(code);
    }
    expect((await world.client.get(`${world.base}/invitations`, world.owner.cookie)).body.items).toEqual([]);
    expect(await world.auditActions()).not.toContain('invitation.created');
  });

  it('needs invitation.manage, and only invites with roles the caller could grant', async () => {
    const world = await tenantWorld();
    const admin = await world.addMember(['admin'], 'admin');
    const member = await world.addMember(['member']);
    const stranger = await world.client.signUp(uniqueEmail('stranger'));

    const byMember = await world.invite({ roles: ['viewer'] }, member.cookie);
    expect([byMember.status, byMember.body.code]).toEqual([403, 'forbidden']);
    const asOwner = await world.invite({ roles: ['owner'] }, admin.cookie);
    expect([asOwner.status, asOwner.body.code]).toEqual([403, 'forbidden']);
    const byStranger = await world.invite({ roles: ['viewer'] }, stranger.cookie);
    expect([byStranger.status, byStranger.body.code]).toEqual([404, 'not_found']);
    expect((await world.invite({ roles: ['admin'] }, admin.cookie)).status).toBe(201);
  });

  it('lists invitations page by page without tokens or hashes, and revokes only its own tenant’s', async () => {
    const world = await tenantWorld();
    const other = await tenantWorld();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await world.invite({ roles: ['viewer'] })).body.id);
    const foreign = await other.invite({ roles: ['viewer'] });

    const first = await world.client.get(`${world.base}/invitations?limit=2`, world.owner.cookie);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual(ids.slice(0, 2));
    const second = await world.client.get(
      `${world.base}/invitations?limit=2&cursor=${first.body.nextCursor}`,
      world.owner.cookie,
    );
    expect(second.body).toMatchObject({ items: [{ id: ids[2] }], nextCursor: null });
    for (const item of [...first.body.items, ...second.body.items]) {
      expect(Object.keys(item)).not.toContain('token');
      expect(Object.keys(item)).not.toContain('tokenHash');
    }

    const cross = await world.client.call('DELETE', `${world.base}/invitations/${foreign.body.id}`, {
      cookie: world.owner.cookie,
    });
    expect([cross.status, cross.body.code]).toEqual([404, 'not_found']);
    const crossTenant = await world.client.call(
      'DELETE',
      `/tenants/${other.tenantId}/invitations/${foreign.body.id}`,
      {
        cookie: world.owner.cookie,
      },
    );
    expect(crossTenant.status).toBe(404);
    expect((await other.storage.invitations.findByTokenHash(sha256Hex(foreign.body.token)))?.status).toBe(
      'pending',
    );

    const revoked = await world.client.call('DELETE', `${world.base}/invitations/${ids[0]}`, {
      cookie: world.owner.cookie,
    });
    expect(revoked.status).toBe(204);
    const again = await world.client.call('DELETE', `${world.base}/invitations/${ids[0]}`, {
      cookie: world.owner.cookie,
    });
    expect(again.status).toBe(404);
    expect(await world.auditActions(1)).toEqual(['invitation.revoked']);
  });
});

describe('invitations over HTTP: accepting', () => {
  it('makes the signed-in user a member with the invitation roles, audited as invitation.accepted and member.added', async () => {
    const world = await tenantWorld();
    const email = uniqueEmail('invitee');
    const invitation = await world.invite({ email, roles: ['member', 'viewer'] });
    const invitee = await world.client.signUp(email.toUpperCase());
    // an email invitation is for a proven address only
    await world.storage.users.markEmailVerified(invitee.body.user.id, invitee.body.user.email, new Date());

    const res = await world.client.post(
      '/invitations/accept',
      { token: invitation.body.token },
      invitee.cookie,
    );

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tenantId: world.tenantId,
      userId: invitee.body.user.id,
      roles: ['member', 'viewer'],
    });
    expect((await world.client.get(`${world.base}/members`, invitee.cookie)).status).toBe(200);
    expect(await world.auditActions(2)).toEqual(['member.added', 'invitation.accepted']);
    const types = (await world.deliver()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['invitation.accepted', 'member.added']));
    const [stored] = (await world.storage.invitations.listByTenant(world.tenantId, { limit: 5 })).items;
    expect(stored).toMatchObject({ uses: 1, status: 'exhausted' });
  });

  it('answers each unusable invitation with its own code, and uses nothing', async () => {
    const world = await tenantWorld();
    const user = await world.client.signUp(uniqueEmail('user'));
    const accept = (token: string) => world.client.post('/invitations/accept', { token }, user.cookie);

    const forSomeoneElse = await world.invite({ email: uniqueEmail('someone-else'), roles: ['viewer'] });
    const revoked = await world.invite({ roles: ['viewer'] });
    await world.client.call('DELETE', `${world.base}/invitations/${revoked.body.id}`, {
      cookie: world.owner.cookie,
    });
    const usedUp = await world.invite({ roles: ['viewer'] });
    const firstUser = await world.client.signUp(uniqueEmail('first'));
    expect(
      (await world.client.post('/invitations/accept', { token: usedUp.body.token }, firstUser.cookie)).status,
    ).toBe(201);
    const expiring = await world.invite({ roles: ['viewer'], expiresInSeconds: 60 });
    world.clock.advance(60);

    const cases: [string, number, string][] = [
      ['x'.repeat(43), 400, 'invitation_invalid'],
      ['x'.repeat(201), 400, 'invalid_request'],
      [forSomeoneElse.body.token, 403, 'invitation_email_mismatch'],
      [revoked.body.token, 410, 'invitation_revoked'],
      [usedUp.body.token, 410, 'invitation_used_up'],
      [expiring.body.token, 410, 'invitation_expired'],
    ];
    for (const [token, status, code] of cases) {
      const res = await accept(token);
      expect([res.status, res.body.code], code).toEqual([status, code]);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect((await world.client.get('/tenants', user.cookie)).body.items).toEqual([]);
    const uses = (await world.storage.invitations.listByTenant(world.tenantId, { limit: 10 })).items.map(
      (i) => i.uses,
    );
    expect(uses).toEqual([0, 0, 1, 0]);
  });

  it('answers already_member without using the invitation', async () => {
    const world = await tenantWorld();
    const member = await world.addMember(['viewer']);
    const link = await world.invite({ roles: ['member'], maxUses: 5 });

    const res = await world.client.post('/invitations/accept', { token: link.body.token }, member.cookie);
    const owner = await world.client.post(
      '/invitations/accept',
      { token: link.body.token },
      world.owner.cookie,
    );

    expect([res.status, res.body.code]).toEqual([409, 'already_member']);
    expect([owner.status, owner.body.code]).toEqual([409, 'already_member']);
    expect((await world.storage.invitations.findByTokenHash(sha256Hex(link.body.token)))?.uses).toBe(0);
    expect((await world.storage.memberships.find(world.tenantId, member.body.user.id))?.roles).toEqual([
      'viewer',
    ]);
  });

  it('of 20 concurrent accepts of an invitation with 3 uses, exactly 3 make members', async () => {
    const world = await tenantWorld();
    const link = await world.invite({ roles: ['viewer'], maxUses: 3 });
    const users = await Promise.all(
      Array.from({ length: 20 }, (_, i) => world.client.signUp(uniqueEmail(`racer${i}`))),
    );

    const results = await Promise.all(
      users.map((u) => world.client.post('/invitations/accept', { token: link.body.token }, u.cookie)),
    );

    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 410).every((r) => r.body.code === 'invitation_used_up')).toBe(
      true,
    );
    expect(results.filter((r) => r.status === 410)).toHaveLength(17);
    const members = await world.client.get(`${world.base}/members`, world.owner.cookie);
    expect(members.body.items).toHaveLength(4);
    expect(await world.storage.invitations.findByTokenHash(sha256Hex(link.body.token))).toMatchObject({
      uses: 3,
      status: 'exhausted',
    });
  });

  it('of 10 concurrent accepts by one user, one makes them a member and one use is taken', async () => {
    const world = await tenantWorld();
    const link = await world.invite({ roles: ['viewer'], maxUses: 10 });
    const user = await world.client.signUp(uniqueEmail('eager'));
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        world.client.post('/invitations/accept', { token: link.body.token }, user.cookie),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect((await world.storage.invitations.findByTokenHash(sha256Hex(link.body.token)))?.uses).toBe(1);
  });

  it('refuses a shared-pool user an isolated tenant: its invitations are accepted by signing up into it', async () => {
    const world = await tenantWorld({ userPool: 'isolated' });
    const outsider = await world.client.signUp(uniqueEmail('outsider'));
    const link = await world.invite({ roles: ['member'] });

    const res = await world.client.post('/invitations/accept', { token: link.body.token }, outsider.cookie);

    expect([res.status, res.body.code]).toEqual([409, 'invitation_requires_signup']);
    expect((await world.storage.invitations.findByTokenHash(sha256Hex(link.body.token)))?.uses).toBe(0);
  });

  it("refuses a user of an isolated pool another tenant's invitation", async () => {
    const world = await tenantWorld({ userPool: 'isolated' });
    const insider = await world.addMember(['member'], 'insider');
    // a shared-pool tenant of the same installation
    const shared = await world.client.post(
      '/tenants',
      { slug: `s-${Date.now()}`, name: 'Shared' },
      world.owner.cookie,
    );
    const link = await world.client.post(
      `/tenants/${shared.body.id}/invitations`,
      { roles: ['viewer'] },
      world.owner.cookie,
    );

    const res = await world.client.post('/invitations/accept', { token: link.body.token }, insider.cookie);

    expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    expect(await world.storage.memberships.find(shared.body.id, insider.body.user.id)).toBeNull();
  });
});

describe('invitations over HTTP: previewing before signing up or in', () => {
  /** An admin with a name, who joined by invitation and invites in turn. */
  async function namedAdmin(world: Awaited<ReturnType<typeof tenantWorld>>) {
    const invitation = await world.invite({ roles: ['admin'] });
    const email = uniqueEmail('ada');
    const admin = await world.client.signUp(email, PASSWORD, { name: 'Ada Lovelace' });
    const joined = await world.client.post(
      '/invitations/accept',
      { token: invitation.body.token },
      admin.cookie,
    );
    expect(joined.status).toBe(201);
    return { ...admin, email };
  }
  const preview = (world: Awaited<ReturnType<typeof tenantWorld>>, token: string) =>
    world.client.post('/invitations/preview', { token });

  it('shows a visitor without an account the tenant, the inviter, the roles and the bound address, and uses nothing', async () => {
    const world = await tenantWorld();
    const admin = await namedAdmin(world);
    const invitee = uniqueEmail('Invitee');
    const invitation = await world.invite({ email: invitee, roles: ['admin'] }, admin.cookie);
    const auditBefore = await world.auditActions();

    const res = await preview(world, invitation.body.token);

    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      tenant: { id: world.tenantId, name: 'Acme', slug: world.slug, userPool: 'shared' },
      inviter: { name: 'Ada Lovelace', email: admin.email },
      roles: ['admin'],
      email: invitee.toLowerCase(),
      expiresAt: invitation.body.expiresAt,
    });
    // no session asked for, none opened
    expect(res.cookie).toBeNull();
    const stored = await world.storage.invitations.findByTokenHash(sha256Hex(invitation.body.token));
    expect(stored).toMatchObject({ uses: 0, status: 'pending' });
    expect(await world.auditActions()).toEqual(auditBefore);

    // and the invitee can still take it
    const user = await world.client.signUp(invitee);
    await world.storage.users.markEmailVerified(user.body.user.id, user.body.user.email, new Date());
    const accepted = await world.client.post(
      '/invitations/accept',
      { token: invitation.body.token },
      user.cookie,
    );
    expect(accepted.body.roles).toEqual(['admin']);
  });

  it('shows an open link with no bound address, an isolated tenant with its pool, and no inviter for a system invitation', async () => {
    const world = await tenantWorld({ userPool: 'isolated' });
    const link = await world.invite({ roles: ['viewer'], maxUses: 5 });
    const open = await preview(world, link.body.token);
    expect(open.body).toMatchObject({
      tenant: { userPool: 'isolated' },
      inviter: { name: null, email: expect.stringContaining('owner.') },
      email: null,
      roles: ['viewer'],
    });

    const token = 'system-invitation-token-0123456789abcdefghij';
    const now = world.clock.now();
    await world.storage.invitations.create({
      id: uuidv7(),
      tenantId: world.tenantId,
      email: null,
      roles: ['member'],
      tokenHash: sha256Hex(token),
      maxUses: 1,
      uses: 0,
      status: 'pending',
      expiresAt: new Date(now.getTime() + DAY * 1000),
      createdBy: null,
      createdAt: now,
      updatedAt: now,
    });
    expect((await preview(world, token)).body).toMatchObject({ inviter: null, roles: ['member'] });
  });

  it('answers every unusable invitation exactly as accepting does, and tells nothing for a wrong token', async () => {
    const world = await tenantWorld();
    const admin = await namedAdmin(world);
    const user = await world.client.signUp(uniqueEmail('user'));
    const revoked = await world.invite({ roles: ['viewer'] });
    await world.client.call('DELETE', `${world.base}/invitations/${revoked.body.id}`, {
      cookie: world.owner.cookie,
    });
    const usedUp = await world.invite({ roles: ['viewer'] });
    const first = await world.client.signUp(uniqueEmail('first'));
    await world.client.post('/invitations/accept', { token: usedUp.body.token }, first.cookie);
    const expiring = await world.invite({ roles: ['viewer'], expiresInSeconds: 60 });
    // sent by an admin who has since been removed: it lapsed with their authority
    const lapsed = await world.invite({ roles: ['viewer'] }, admin.cookie);
    expect((await world.removeMember(admin.body.user.id, world.owner.cookie)).status).toBe(204);
    world.clock.advance(60);

    const cases: [string, string, number, string][] = [
      ['wrong token', 'x'.repeat(43), 400, 'invitation_invalid'],
      ['not a token', 'x'.repeat(201), 400, 'invalid_request'],
      ['revoked', revoked.body.token, 410, 'invitation_revoked'],
      ['used up', usedUp.body.token, 410, 'invitation_used_up'],
      ['expired', expiring.body.token, 410, 'invitation_expired'],
      ['lapsed', lapsed.body.token, 410, 'invitation_revoked'],
    ];
    for (const [label, token, status, code] of cases) {
      const previewed = await preview(world, token);
      const accepted = await world.client.post('/invitations/accept', { token }, user.cookie);
      expect([previewed.status, previewed.body.code], label).toEqual([status, code]);
      expect(previewed.headers.get('content-type'), label).toMatch(/application\/problem\+json/);
      const { requestId: _p, ...told } = previewed.body;
      const { requestId: _a, ...toldOnAccept } = accepted.body;
      expect(told, label).toEqual(toldOnAccept);
    }
    // the wrong token's answer names no tenant, inviter or role
    const wrong = await preview(world, 'y'.repeat(43));
    expect(Object.keys(wrong.body).sort()).toEqual(['code', 'requestId', 'status', 'title', 'type']);
  });

  it("answers a suspended tenant's invitation as accepting does", async () => {
    const world = await tenantWorld();
    const link = await world.invite({ roles: ['viewer'], maxUses: 3 });
    const user = await world.client.signUp(uniqueEmail('user'));
    const suspended = await world.client.call('PATCH', world.base, {
      body: { status: 'suspended' },
      cookie: world.owner.cookie,
    });
    expect(suspended.status).toBe(200);

    const previewed = await preview(world, link.body.token);
    const accepted = await world.client.post('/invitations/accept', { token: link.body.token }, user.cookie);

    expect([previewed.status, previewed.body.code]).toEqual([403, 'tenant_suspended']);
    expect([accepted.status, accepted.body.code]).toEqual([previewed.status, previewed.body.code]);
  });

  it('is rate-limited per client address with accepting (invitationLookup): a guesser is stopped, even at the right token', async () => {
    const world = await tenantWorld({
      config: { rateLimit: { rules: { invitationLookup: { limit: 3, windowSeconds: 60 } } } },
    });
    const link = await world.invite({ roles: ['viewer'], maxUses: 5 });
    const user = await world.client.signUp(uniqueEmail('user'));

    for (let i = 0; i < 2; i++) {
      const guess = await preview(world, `guess-${i}-${'x'.repeat(40)}`);
      expect(guess.status).toBe(400);
      expect(guess.headers.get('ratelimit-policy')).toContain('invitationLookup');
    }
    // accepting spends the same budget
    const accepted = await world.client.post('/invitations/accept', { token: 'z'.repeat(43) }, user.cookie);
    expect(accepted.body.code).toBe('invitation_invalid');

    const limited = await preview(world, link.body.token);
    expect([limited.status, limited.body.code]).toEqual([429, 'rate_limited']);
    expect(limited.body['violated-policies']).toEqual(['invitationLookup']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const limitedAccept = await world.client.post(
      '/invitations/accept',
      { token: link.body.token },
      user.cookie,
    );
    expect(limitedAccept.status).toBe(429);

    // another address has its own budget
    const elsewhere = httpClient(world.auth, '198.51.100.7');
    expect((await elsewhere.post('/invitations/preview', { token: link.body.token })).status).toBe(200);
  });
});

describe('invitations on auth.api: previewing', () => {
  it('previews with the same rules, counted per token when the call names no address', async () => {
    const world = await tenantWorld({
      config: { rateLimit: { rules: { invitationLookup: { limit: 2, windowSeconds: 60 } } } },
    });
    const { token, invitation } = await world.auth.api.createInvitation(
      world.tenantId,
      world.owner.body.user.id,
      {
        roles: ['member'],
      },
    );

    const shown = await world.auth.api.previewInvitation(token);
    expect(shown).toMatchObject({ tenant: { id: world.tenantId }, roles: ['member'], email: null });
    expect(shown.expiresAt).toEqual(invitation.expiresAt);
    await expect(world.auth.api.previewInvitation('nope')).rejects.toMatchObject({
      code: 'invitation_invalid',
    });
    // 'nope' was counted apart, as its own token: this one is spent after two looks
    await world.auth.api.previewInvitation(token);
    await expect(world.auth.api.previewInvitation(token)).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('invitations over HTTP: signing up with one', () => {
  it('creates the user and the membership in one go (shared pool)', async () => {
    const world = await tenantWorld();
    const email = uniqueEmail('newcomer');
    const invitation = await world.invite({ email, roles: ['member'] });

    const res = await world.client.post('/signup', {
      email,
      password: PASSWORD,
      invitationToken: invitation.body.token,
    });

    expect(res.status).toBe(201);
    expect(res.body.user.tenantId).toBeNull();
    expect(await world.storage.memberships.find(world.tenantId, res.body.user.id)).toMatchObject({
      roles: ['member'],
    });
    expect((await world.client.get(`${world.base}/members`, res.cookie)).status).toBe(200);
    expect(await world.auditActions(2)).toEqual(['member.added', 'invitation.accepted']);
  });

  it("creates the user in an isolated tenant's pool with the invitation's roles", async () => {
    const world = await tenantWorld({ userPool: 'isolated' });
    const email = uniqueEmail('realm-user');
    const invitation = await world.invite({ email, roles: ['admin'] });

    const res = await world.client.post('/signup', {
      email,
      password: PASSWORD,
      tenant: world.slug,
      invitationToken: invitation.body.token,
    });

    expect(res.status).toBe(201);
    expect(res.body.user.tenantId).toBe(world.tenantId);
    expect(res.body.session.tenantId).toBe(world.tenantId);
    expect(await world.storage.memberships.find(world.tenantId, res.body.user.id)).toMatchObject({
      roles: ['admin'],
    });
    const login = await world.client.post('/login', { email, password: PASSWORD, tenant: world.slug });
    expect(login.status).toBe(200);
  });

  it('fails the sign-up with nothing written when the token is bad, used up, for another email or another tenant', async () => {
    const world = await tenantWorld();
    const other = await world.client.post(
      '/tenants',
      { slug: `o-${Date.now()}`, name: 'Other', userPool: 'isolated' },
      world.owner.cookie,
    );
    const forAda = await world.invite({ email: uniqueEmail('ada'), roles: ['member'] });
    const usedUp = await world.invite({ roles: ['member'] });
    await world.client.post('/signup', {
      email: uniqueEmail('first'),
      password: PASSWORD,
      invitationToken: usedUp.body.token,
    });
    const open = await world.invite({ roles: ['member'] });

    const attempts: [Record<string, unknown>, number, string][] = [
      [{ invitationToken: 'y'.repeat(43) }, 400, 'invitation_invalid'],
      [{ invitationToken: forAda.body.token }, 403, 'invitation_email_mismatch'],
      [{ invitationToken: usedUp.body.token }, 410, 'invitation_used_up'],
      [{ invitationToken: open.body.token, tenant: other.body.slug }, 400, 'invalid_request'],
      [{ invitationToken: open.body.token, password: 'short' }, 400, 'password_too_short'],
    ];
    for (const [extra, status, code] of attempts) {
      const email = uniqueEmail('hopeful');
      const res = await world.client.post('/signup', { email, password: PASSWORD, ...extra });
      expect([res.status, res.body.code], code).toEqual([status, code]);
      expect(await world.storage.users.findByEmail(null, email)).toBeNull();
    }
    expect((await world.storage.invitations.findByTokenHash(sha256Hex(open.body.token)))?.uses).toBe(0);
  });

  it('gives the use back when the sign-up fails inside its transaction (email taken)', async () => {
    const world = await tenantWorld();
    const taken = uniqueEmail('taken');
    await world.client.signUp(taken);
    const invitation = await world.invite({ email: taken, roles: ['member'] });

    const res = await world.client.post('/signup', {
      email: taken,
      password: PASSWORD,
      invitationToken: invitation.body.token,
    });

    expect([res.status, res.body.code]).toEqual([409, 'email_taken']);
    expect((await world.storage.invitations.findByTokenHash(sha256Hex(invitation.body.token)))?.uses).toBe(0);
  });
});

describe('invitations on auth.api', () => {
  it('creates, lists, accepts and revokes with the same rules', async () => {
    const world = await tenantWorld();
    const ownerId = world.owner.body.user.id;
    const user = await world.client.signUp(uniqueEmail('api'));

    const { invitation, token } = await world.auth.api.createInvitation(world.tenantId, ownerId, {
      roles: ['viewer'],
      maxUses: 2,
    });
    expect(invitation).not.toHaveProperty('tokenHash');
    const page = await world.auth.api.listInvitations(world.tenantId, ownerId);
    expect(page.items.map((i) => i.id)).toEqual([invitation.id]);
    expect(page.items[0]).not.toHaveProperty('tokenHash');
    const membership = await world.auth.api.acceptInvitation(user.body.user.id, token);
    expect(membership.roles).toEqual(['viewer']);
    await world.auth.api.revokeInvitation(world.tenantId, ownerId, invitation.id);
    await expect(world.auth.api.acceptInvitation(ownerId, token)).rejects.toMatchObject({
      code: 'invitation_revoked',
    });
    await expect(
      world.auth.api.createInvitation(world.tenantId, user.body.user.id, { roles: ['viewer'] }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
