import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';
import { databaseTargets } from './support/database-targets.js';

// Drives the example app over real HTTP, started in-process on a free port. It imports the
// workspace packages from source (vitest aliases), so no build is needed.

const targets = databaseTargets('e2e');

const PASSWORD = 'correct horse battery staple';

interface Sent {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, whose shape the assertions check
  body: Record<string, any> | null;
}

describe.each(targets)('the Express example on $name', (target) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let cookieName: string;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: target.databaseUrl(),
      tablePrefix: target.tablePrefix,
      secret: randomBytes(32).toString('base64url'),
      // the client address comes from X-Forwarded-For, so that each person here can sign up from
      // an address of their own: one address may sign up only 10 times in 10 minutes
      trustProxy: true,
    });
    base = server.url;
    cookieName = server.auth.sessionCookieName;
  });

  afterAll(async () => {
    await server?.close();
    await target.cleanup();
  });

  /** A client address no other request to this server uses (fewer than 254 sign-ups per server). */
  let addresses = 0;
  const newAddress = () => `198.51.100.${++addresses}`;
  const sharedAddress = '192.0.2.1';

  /**
   * One request, as a same-origin browser page would send it unless told otherwise (from
   * `sharedAddress` unless `ip` says otherwise). Every response, success or problem, must carry a
   * request id and forbid caching.
   */
  async function send(
    method: string,
    path: string,
    options: {
      body?: unknown;
      raw?: string;
      cookie?: string;
      ip?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Sent> {
    const headers: Record<string, string> = { origin: base, 'x-forwarded-for': options.ip ?? sharedAddress };
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    const response = await fetch(base + path, {
      method,
      headers: { ...headers, ...options.headers },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    expect(response.headers.get('x-request-id'), `${method} ${path}`).toBeTruthy();
    expect(response.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
    const text = await response.text();
    const body = text === '' ? null : JSON.parse(text);
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({
        status: response.status,
        code: expect.any(String),
        title: expect.any(String),
      });
    }
    return { status: response.status, headers: response.headers, body };
  }

  function sessionCookie(sent: Sent): string {
    const line = sent.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    expect(line, 'session cookie').toBeDefined();
    return line.split(';')[0]!;
  }

  async function signUp(email: string): Promise<string> {
    const sent = await send('POST', '/auth/signup', {
      body: { email, password: PASSWORD },
      ip: newAddress(),
    });
    expect(sent.status).toBe(201);
    return sessionCookie(sent);
  }

  const email = (name: string) => `${name}-${randomBytes(3).toString('hex')}@example.com`;

  it('runs the session lifecycle: sign up, second login, list, revoke others, log out', async () => {
    const address = email('ada');
    const first = await signUp(address);

    const login = await send('POST', '/auth/login', { body: { email: address, password: PASSWORD } });
    expect(login.status).toBe(200);
    const second = sessionCookie(login);
    expect(second).not.toBe(first);

    const session = await send('GET', '/auth/session', { cookie: second });
    expect(session.status).toBe(200);
    expect(session.body!.user.email).toBe(address);

    const me = await send('GET', '/api/me', { cookie: second });
    expect(me.status).toBe(200);
    expect(me.body!.user.email).toBe(address);

    const sessions = await send('GET', '/auth/sessions', { cookie: second });
    expect(sessions.status).toBe(200);
    expect(sessions.body!.items).toHaveLength(2);
    expect(sessions.body!.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    const revoked = await send('POST', '/auth/sessions/revoke-others', { cookie: second });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revoked: 1 });

    const old = await send('GET', '/auth/session', { cookie: first });
    expect(old.status).toBe(401);
    expect(old.body!.code).toBe('unauthenticated');
    expect((await send('GET', '/api/me', { cookie: first })).status).toBe(401);

    const logout = await send('POST', '/auth/logout', { cookie: second });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().some((c) => c.startsWith(`${cookieName}=;`))).toBe(true);

    expect((await send('GET', '/auth/session', { cookie: second })).status).toBe(401);
    expect((await send('GET', '/api/me', { cookie: second })).status).toBe(401);
  });

  it("lets a tenant's owner see its members and hides the tenant from everyone else", async () => {
    const alice = await signUp(email('alice'));
    const bob = await signUp(email('bob'));
    const slug = `acme-${randomBytes(3).toString('hex')}`;

    const created = await send('POST', '/auth/tenants', { cookie: alice, body: { slug, name: 'Acme' } });
    expect(created.status).toBe(201);
    const tenantId = created.body!.id as string;

    const listed = await send('GET', '/auth/tenants', { cookie: alice });
    expect(listed.body!.items.map((t: { id: string }) => t.id)).toEqual([tenantId]);

    const members = await send('GET', `/auth/tenants/${tenantId}/members`, { cookie: alice });
    expect(members.status).toBe(200);
    expect(members.body!.items).toHaveLength(1);
    expect(members.body!.items[0].roles).toEqual(['owner']);

    expect((await send('GET', `/auth/tenants/${tenantId}/members`, { cookie: bob })).status).toBe(404);
    expect((await send('GET', `/auth/tenants/${tenantId}`, { cookie: bob })).status).toBe(404);
    expect((await send('GET', '/auth/tenants', { cookie: bob })).body!.items).toEqual([]);
  });

  it('declares its permission catalog: roles, policies and questions naming an unknown permission are refused', async () => {
    const owner = await signUp(email('owner'));
    const created = await send('POST', '/auth/tenants', {
      cookie: owner,
      body: { slug: `cat-${randomBytes(3).toString('hex')}`, name: 'Catalog' },
    });
    const tenantId = created.body!.id as string;
    const typoRole = await send('POST', `/auth/tenants/${tenantId}/roles`, {
      cookie: owner,
      body: { key: 'editor', name: 'Editor', permissions: ['document.raed'] },
    });
    expect([typoRole.status, typoRole.body!.code]).toEqual([422, 'unknown_permission']);
    const typoPolicy = await send('POST', `/auth/tenants/${tenantId}/policies`, {
      cookie: owner,
      body: { effect: 'deny', actions: ['documnet.read'], resource: 'document' },
    });
    expect([typoPolicy.status, typoPolicy.body!.code]).toEqual([422, 'unknown_permission']);
    const typoQuestion = await send('POST', `/auth/tenants/${tenantId}/authorize`, {
      cookie: owner,
      body: { action: 'document.raed' },
    });
    expect([typoQuestion.status, typoQuestion.body!.code]).toEqual([422, 'unknown_permission']);
    // a declared permission works, and a policy reading an undeclared document attribute is warned of
    const policy = await send('POST', `/auth/tenants/${tenantId}/policies`, {
      cookie: owner,
      body: {
        effect: 'deny',
        actions: ['document.delete'],
        resource: 'document',
        condition: { eq: [{ ref: 'resource.owner' }, { ref: 'subject.id' }] },
      },
    });
    expect(policy.status).toBe(201);
    expect(policy.body!.warnings[0].message).toMatch(/did you mean resource\.ownerId\?/);
  });

  it('refuses cookie-authenticated unsafe requests from another origin or with no origin at all', async () => {
    const cookie = await signUp(email('carol'));
    const body = { slug: `evil-${randomBytes(3).toString('hex')}`, name: 'Evil' };

    const crossSite = await send('POST', '/auth/tenants', {
      cookie,
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body!.code).toBe('csrf_origin_mismatch');

    // fetch sends no Referer by itself, and an empty Origin header is dropped
    const anonymous = await fetch(`${base}/auth/tenants`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(anonymous.status).toBe(403);
    expect((await anonymous.json()).code).toBe('csrf_origin_mismatch');

    expect((await send('GET', '/auth/tenants', { cookie })).body!.items).toEqual([]);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const address = email('dave');
    await signUp(address);
    const wrongPassword = await send('POST', '/auth/login', {
      body: { email: address, password: 'not the password at all, sorry' },
    });
    const unknownEmail = await send('POST', '/auth/login', {
      body: { email: email('nobody'), password: 'not the password at all, sorry' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(Object.keys(unknownEmail.body!).sort()).toEqual(Object.keys(wrongPassword.body!).sort());
    const { requestId: a, ...wrong } = wrongPassword.body!;
    const { requestId: b, ...unknown } = unknownEmail.body!;
    expect(a).not.toBe(b);
    expect(unknown).toEqual(wrong);
    expect(wrong.code).toBe('invalid_credentials');
  });

  it('answers bad input with problem+json and a stable code', async () => {
    const malformed = await send('POST', '/auth/login', { raw: '{"email": "a@example.com", ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body!.code).toBe('invalid_json');

    const unknownField = await send('POST', '/auth/signup', {
      body: { email: email('erin'), password: PASSWORD, isAdmin: true },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body!.code).toBe('invalid_request');

    const oversized = await send('POST', '/auth/signup', {
      raw: JSON.stringify({ email: email('frank'), password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(oversized.status).toBe(413);
    expect(oversized.body!.code).toBe('payload_too_large');

    const longPassword = await send('POST', '/auth/signup', {
      body: { email: email('grace'), password: 'Tr0ub4dor&3-'.repeat(11) },
    });
    expect(longPassword.status).toBe(400);
    expect(longPassword.body!.code).toBe('password_too_long');
  });

  it('serves the page and keeps GET /api/me behind requireAuth', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    const anonymous = await send('GET', '/api/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body!.code).toBe('unauthenticated');
  });

  describe('documents', () => {
    // Alice owns an isolated-pool tenant; Bob and Carol join it by signing up with her open
    // invitation link for the `member` role; Olivia is signed in but no member of it.
    let tenantId: string;
    let slug: string;
    const alice = { id: '', cookie: '' };
    const bob = { id: '', cookie: '' };
    const carol = { id: '', cookie: '' };
    const olivia = { id: '', cookie: '' };

    async function join(who: { id: string; cookie: string }, name: string, invitationToken?: string) {
      const sent = await send('POST', '/auth/signup', {
        body: { email: email(name), password: PASSWORD, invitationToken },
        ip: newAddress(),
      });
      expect(sent.status).toBe(201);
      who.id = sent.body!.user.id;
      who.cookie = sessionCookie(sent);
    }

    const documentsPath = (id = '') => `/api/tenants/${tenantId}/documents${id ? `/${id}` : ''}`;

    async function write(
      who: { cookie: string },
      input: { title: string; body?: string; visibility?: 'tenant' | 'private' },
    ) {
      const sent = await send('POST', documentsPath(), { cookie: who.cookie, body: input });
      expect(sent.status).toBe(201);
      return sent.body!;
    }

    async function titlesFor(who: { cookie: string }) {
      const sent = await send('GET', documentsPath(), { cookie: who.cookie });
      expect(sent.status).toBe(200);
      return sent.body!.items.map((d: { title: string }) => d.title).sort();
    }

    beforeAll(async () => {
      await join(alice, 'alice');
      slug = `notes-${randomBytes(3).toString('hex')}`;
      const created = await send('POST', '/auth/tenants', {
        cookie: alice.cookie,
        body: { slug, name: 'Notes', userPool: 'isolated' },
      });
      expect(created.status).toBe(201);
      tenantId = created.body!.id;
      const invitation = await send('POST', `/auth/tenants/${tenantId}/invitations`, {
        cookie: alice.cookie,
        body: { roles: ['member'], maxUses: 2 },
      });
      expect(invitation.status).toBe(201);
      await join(bob, 'bob', invitation.body!.token);
      await join(carol, 'carol', invitation.body!.token);
      await join(olivia, 'olivia');
    });

    it('provisions the configured roles into every new tenant', async () => {
      const roles = await server.auth.api.listRoles(tenantId, alice.id);
      const permissions = Object.fromEntries(roles.map((r) => [r.key, [...r.permissions].sort()]));
      expect(Object.keys(permissions).sort()).toEqual(['admin', 'member', 'owner', 'viewer']);
      expect(permissions.owner).toEqual(['*']);
      expect(permissions.admin).toContain('document.*');
      expect(permissions.admin).toContain('member.update');
      expect(permissions.admin).not.toContain('tenant.delete');
      expect(permissions.member).toEqual(['document.create', 'document.read', 'member.read', 'tenant.read']);
      expect(permissions.viewer).toEqual(['document.read', 'tenant.read']);

      const members = await send('GET', `/auth/tenants/${tenantId}/members`, { cookie: alice.cookie });
      const roleOf = Object.fromEntries(
        members.body!.items.map((m: { user: { id: string }; roles: string[] }) => [m.user.id, m.roles]),
      );
      expect(roleOf[bob.id]).toEqual(['member']);
    });

    it('makes whoever signs up with the slug alone a viewer: reads, cannot write', async () => {
      const sent = await send('POST', '/auth/signup', {
        body: { email: email('dave'), password: PASSWORD, tenant: slug },
      });
      expect(sent.status).toBe(201);
      const dave = { id: sent.body!.user.id as string, cookie: sessionCookie(sent) };
      const members = await send('GET', `/auth/tenants/${tenantId}/members`, { cookie: alice.cookie });
      expect(members.body!.items.find((m: { user: { id: string } }) => m.user.id === dave.id).roles).toEqual([
        'viewer',
      ]);

      expect((await send('GET', documentsPath(), { cookie: dave.cookie })).status).toBe(200);
      const denied = await send('POST', documentsPath(), { cookie: dave.cookie, body: { title: 'Hi' } });
      expect(denied.status).toBe(403);
      expect(denied.body!.reason).toEqual({ kind: 'no_rule' });
    });

    it('sends a signed-in account of the shared pool to sign up when invited into this isolated tenant', async () => {
      const invitation = await send('POST', `/auth/tenants/${tenantId}/invitations`, {
        cookie: alice.cookie,
        body: { roles: ['member'] },
      });
      const accepted = await send('POST', '/auth/invitations/accept', {
        cookie: olivia.cookie,
        body: { token: invitation.body!.token },
      });
      expect(accepted.status).toBe(409);
      expect(accepted.body!.code).toBe('invitation_requires_signup');
      expect((await send('GET', documentsPath(), { cookie: olivia.cookie })).status).toBe(404);
    });

    it('lets a member write and edit their own document but not edit or delete the owner’s', async () => {
      const own = await write(bob, { title: 'Bob’s plan', body: 'v1' });
      expect(own).toMatchObject({
        ownerId: bob.id,
        tenantId,
        visibility: 'tenant',
        canUpdate: true,
        canDelete: true,
      });

      const edited = await send('PATCH', documentsPath(own.id), { cookie: bob.cookie, body: { body: 'v2' } });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ id: own.id, title: 'Bob’s plan', body: 'v2' });

      const alices = await write(alice, { title: 'Alice’s memo' });
      const listed = await send('GET', documentsPath(), { cookie: bob.cookie });
      expect(listed.body!.items.find((d: { id: string }) => d.id === alices.id)).toMatchObject({
        canUpdate: false,
        canDelete: false,
      });

      const update = await send('PATCH', documentsPath(alices.id), {
        cookie: bob.cookie,
        body: { title: 'Mine now' },
      });
      expect(update.status).toBe(403);
      expect(update.body!.code).toBe('forbidden');
      expect(update.body!.reason).toEqual({ kind: 'no_rule' });
      const remove = await send('DELETE', documentsPath(alices.id), { cookie: bob.cookie });
      expect(remove.status).toBe(403);
      expect(remove.body!.reason).toEqual({ kind: 'no_rule' });

      const after = await send('GET', documentsPath(), { cookie: alice.cookie });
      expect(after.body!.items.find((d: { id: string }) => d.id === alices.id).title).toBe('Alice’s memo');
    });

    it('lets the owner edit and delete a member’s document', async () => {
      const bobs = await write(bob, { title: 'Draft by Bob', visibility: 'private' });
      const listed = await send('GET', documentsPath(), { cookie: alice.cookie });
      expect(listed.body!.items.find((d: { id: string }) => d.id === bobs.id)).toMatchObject({
        canUpdate: true,
        canDelete: true,
      });

      const edited = await send('PATCH', documentsPath(bobs.id), {
        cookie: alice.cookie,
        body: { title: 'Reviewed by Alice', visibility: 'tenant' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        ownerId: bob.id,
        title: 'Reviewed by Alice',
        visibility: 'tenant',
      });

      expect((await send('DELETE', documentsPath(bobs.id), { cookie: alice.cookie })).status).toBe(204);
      expect(
        (await send('PATCH', documentsPath(bobs.id), { cookie: bob.cookie, body: { body: 'x' } })).status,
      ).toBe(404);
    });

    it('lists exactly what each user may read, filtered in the query', async () => {
      const tag = randomBytes(2).toString('hex');
      const shared = await write(alice, { title: `${tag} team`, visibility: 'tenant' });
      const alicePrivate = await write(alice, { title: `${tag} alice private`, visibility: 'private' });
      const bobPrivate = await write(bob, { title: `${tag} bob private`, visibility: 'private' });
      await write(carol, { title: `${tag} carol private`, visibility: 'private' });
      const mine = (titles: string[]) => titles.filter((t) => t.startsWith(tag));

      expect(mine(await titlesFor(bob))).toEqual([`${tag} bob private`, `${tag} team`]);
      expect(mine(await titlesFor(carol))).toEqual([`${tag} carol private`, `${tag} team`]);
      expect(mine(await titlesFor(alice))).toEqual([
        `${tag} alice private`,
        `${tag} bob private`,
        `${tag} carol private`,
        `${tag} team`,
      ]);

      // the members' rule is a condition for the database; the owner's is "everything"
      const asBob = await send('GET', documentsPath(), { cookie: bob.cookie });
      expect(asBob.body!.filter.kind).toBe('condition');
      expect((await send('GET', documentsPath(), { cookie: alice.cookie })).body!.filter).toEqual({
        kind: 'all',
      });
      const ids = asBob.body!.items.map((d: { id: string }) => d.id);
      expect(ids).toEqual([...ids].sort().reverse()); // newest first
      expect(ids).toContain(shared.id);

      // a document Carol may not read does not exist for her, whatever she tries
      for (const id of [alicePrivate.id, bobPrivate.id]) {
        expect(
          (await send('PATCH', documentsPath(id), { cookie: carol.cookie, body: { title: 'x' } })).status,
        ).toBe(404);
        expect((await send('DELETE', documentsPath(id), { cookie: carol.cookie })).status).toBe(404);
      }
    });

    it('answers non-members 404 and signed-out requests 401', async () => {
      const doc = await write(alice, { title: 'Board minutes' });
      const outsider = { cookie: olivia.cookie };
      expect((await send('GET', documentsPath(), outsider)).status).toBe(404);
      expect((await send('POST', documentsPath(), { ...outsider, body: { title: 'Hi' } })).status).toBe(404);
      expect(
        (await send('PATCH', documentsPath(doc.id), { ...outsider, body: { title: 'Hi' } })).status,
      ).toBe(404);
      expect((await send('DELETE', documentsPath(doc.id), outsider)).status).toBe(404);
      const unknownTenant = await send('GET', '/api/tenants/no-such-tenant/documents', outsider);
      expect(unknownTenant.status).toBe(404);
      expect(unknownTenant.body!.code).toBe('not_found');

      const anonymous = await send('GET', documentsPath());
      expect(anonymous.status).toBe(401);
      expect(anonymous.body!.code).toBe('unauthenticated');
      expect((await send('POST', documentsPath(), { body: { title: 'Hi' } })).status).toBe(401);

      const crossSite = await send('DELETE', documentsPath(doc.id), {
        cookie: alice.cookie,
        headers: { origin: 'https://evil.example' },
      });
      expect(crossSite.status).toBe(403);
      expect(crossSite.body!.code).toBe('csrf_origin_mismatch');
      expect(await titlesFor(alice)).toContain('Board minutes');
    });

    it('answers bad input with 400 problem+json and writes nothing', async () => {
      const before = await titlesFor(bob);
      const doc = await write(bob, { title: 'Valid' });

      const missingTitle = await send('POST', documentsPath(), {
        cookie: bob.cookie,
        body: { body: 'no title' },
      });
      expect(missingTitle.status).toBe(400);
      expect(missingTitle.body!.code).toBe('invalid_request');
      expect(missingTitle.body!.issues).toEqual([{ path: 'title', message: 'is required' }]);

      const wrong = await send('POST', documentsPath(), {
        cookie: bob.cookie,
        body: { title: 'x', visibility: 'public', ownerId: alice.id },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body!.issues.map((i: { path: string }) => i.path).sort()).toEqual([
        'ownerId',
        'visibility',
      ]);

      const malformed = await send('POST', documentsPath(), { cookie: bob.cookie, raw: '{"title": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body!.code).toBe('invalid_json');

      const empty = await send('PATCH', documentsPath(doc.id), { cookie: bob.cookie, body: {} });
      expect(empty.status).toBe(400);
      const blank = await send('PATCH', documentsPath(doc.id), { cookie: bob.cookie, body: { title: '  ' } });
      expect(blank.status).toBe(400);
      expect(blank.body!.issues).toEqual([{ path: 'title', message: 'must be a non-empty string' }]);

      expect(await titlesFor(bob)).toEqual([...before, 'Valid'].sort());
    });
  });

  describe('tenant administration: invitations and members', () => {
    // Owen owns a shared-pool tenant: nobody joins it but by his invitations.
    interface Account {
      id: string;
      email: string;
      cookie: string;
    }
    let tenantId: string;
    let owen: Account;

    const tenantPath = (rest: string) => `/auth/tenants/${tenantId}/${rest}`;
    const documentsPath = () => `/api/tenants/${tenantId}/documents`;

    async function signUpAs(name: string, invitationToken?: string): Promise<Account> {
      const address = email(name);
      const sent = await send('POST', '/auth/signup', {
        body: { email: address, password: PASSWORD, invitationToken },
        ip: newAddress(),
      });
      expect(sent.status).toBe(201);
      return { id: sent.body!.user.id, email: address, cookie: sessionCookie(sent) };
    }

    /** Creates an invitation as `by` (Owen unless told) and returns its one-time token. */
    async function invite(body: { roles: string[]; email?: string; maxUses?: number }, by = owen) {
      const sent = await send('POST', tenantPath('invitations'), { cookie: by.cookie, body });
      expect(sent.status).toBe(201);
      expect(sent.body!.token).toEqual(expect.any(String));
      return sent.body!.token as string;
    }

    async function rolesOf(who: Account): Promise<string[] | undefined> {
      const members = await send('GET', tenantPath('members'), { cookie: owen.cookie });
      expect(members.status).toBe(200);
      return members.body!.items.find((m: { user: { id: string } }) => m.user.id === who.id)?.roles;
    }

    async function createDocument(who: Account) {
      return send('POST', documentsPath(), { cookie: who.cookie, body: { title: `by ${who.email}` } });
    }

    beforeAll(async () => {
      owen = await signUpAs('owen');
      const created = await send('POST', '/auth/tenants', {
        cookie: owen.cookie,
        body: { slug: `team-${randomBytes(3).toString('hex')}`, name: 'Team' },
      });
      expect(created.status).toBe(201);
      tenantId = created.body!.id;
    });

    it('lets the owner invite a member who accepts while signed in and can then write documents', async () => {
      const bob = await signUpAs('bob');
      expect((await createDocument(bob)).status).toBe(404);
      const token = await invite({ roles: ['member'] });

      const accepted = await send('POST', '/auth/invitations/accept', {
        cookie: bob.cookie,
        body: { token },
      });
      expect(accepted.status).toBe(201);
      expect(accepted.body).toMatchObject({ tenantId, userId: bob.id, roles: ['member'] });

      expect((await createDocument(bob)).status).toBe(201);
      const invitations = await send('GET', tenantPath('invitations'), { cookie: owen.cookie });
      expect(invitations.body!.items[0]).toMatchObject({ uses: 1, maxUses: 1, status: 'exhausted' });
      expect(JSON.stringify(invitations.body)).not.toContain(token);
    });

    it('lets two people sign up with an open link of maxUses 2 and refuses the third, creating no account', async () => {
      const token = await invite({ roles: ['viewer'], maxUses: 2 });
      const first = await signUpAs('first', token);
      const second = await signUpAs('second', token);
      expect(await rolesOf(first)).toEqual(['viewer']);
      expect(await rolesOf(second)).toEqual(['viewer']);

      const late = email('third');
      const third = await send('POST', '/auth/signup', {
        body: { email: late, password: PASSWORD, invitationToken: token },
      });
      expect(third.status).toBe(410);
      expect(third.body!.code).toBe('invitation_used_up');
      const login = await send('POST', '/auth/login', { body: { email: late, password: PASSWORD } });
      expect(login.status).toBe(401);
      expect(login.body!.code).toBe('invalid_credentials');
    });

    it('takes document.create away on the very next request when the owner makes a member a viewer', async () => {
      const carol = await signUpAs('carol', await invite({ roles: ['member'] }));
      expect((await createDocument(carol)).status).toBe(201);

      const changed = await send('PATCH', tenantPath(`members/${carol.id}`), {
        cookie: owen.cookie,
        body: { roles: ['viewer'] },
      });
      expect(changed.status).toBe(200);
      expect(changed.body!.roles).toEqual(['viewer']);

      const denied = await createDocument(carol);
      expect(denied.status).toBe(403);
      expect(denied.body!.code).toBe('forbidden');
      expect((await send('GET', documentsPath(), { cookie: carol.cookie })).status).toBe(200);
    });

    it('answers a removed member 404 on the next request', async () => {
      const dan = await signUpAs('dan', await invite({ roles: ['member'] }));
      expect((await send('GET', documentsPath(), { cookie: dan.cookie })).status).toBe(200);

      expect((await send('DELETE', tenantPath(`members/${dan.id}`), { cookie: owen.cookie })).status).toBe(
        204,
      );

      const gone = await send('GET', documentsPath(), { cookie: dan.cookie });
      expect(gone.status).toBe(404);
      expect(gone.body!.code).toBe('not_found');
      expect((await createDocument(dan)).status).toBe(404);
      expect((await send('GET', '/auth/tenants', { cookie: dan.cookie })).body!.items).toEqual([]);
      expect(await rolesOf(dan)).toBeUndefined();
    });

    it('keeps a last owner: who cannot leave or step down until another member is an owner', async () => {
      const left = await send('DELETE', tenantPath(`members/${owen.id}`), { cookie: owen.cookie });
      expect(left.status).toBe(409);
      expect(left.body!.code).toBe('last_owner');
      const demoted = await send('PATCH', tenantPath(`members/${owen.id}`), {
        cookie: owen.cookie,
        body: { roles: ['admin'] },
      });
      expect(demoted.status).toBe(409);
      expect(demoted.body!.code).toBe('last_owner');
      expect(await rolesOf(owen)).toEqual(['owner']);

      // a member leaves without any permission
      const erin = await signUpAs('erin', await invite({ roles: ['viewer'] }));
      expect((await send('DELETE', tenantPath(`members/${erin.id}`), { cookie: erin.cookie })).status).toBe(
        204,
      );
      expect(await rolesOf(erin)).toBeUndefined();
    });

    it('lets an admin invite and change members only within what the admin holds', async () => {
      const adam = await signUpAs('adam', await invite({ roles: ['admin'] }));
      const mia = await signUpAs('mia', await invite({ roles: ['member'] }, adam));
      expect(await rolesOf(mia)).toEqual(['member']);

      const ownerInvitation = await send('POST', tenantPath('invitations'), {
        cookie: adam.cookie,
        body: { roles: ['owner'] },
      });
      expect(ownerInvitation.status).toBe(403);
      expect(ownerInvitation.body!.code).toBe('forbidden');
      expect(ownerInvitation.body!.detail).toContain('cannot grant permissions you do not hold');
      const promoted = await send('PATCH', tenantPath(`members/${mia.id}`), {
        cookie: adam.cookie,
        body: { roles: ['owner'] },
      });
      expect(promoted.status).toBe(403);
      expect(await rolesOf(mia)).toEqual(['member']);

      // a member holds no invitation.manage at all
      const byMember = await send('POST', tenantPath('invitations'), {
        cookie: mia.cookie,
        body: { roles: ['viewer'] },
      });
      expect(byMember.status).toBe(403);
      expect((await send('GET', tenantPath('invitations'), { cookie: mia.cookie })).status).toBe(403);
    });

    it('revokes a pending invitation so that its link no longer works', async () => {
      const created = await send('POST', tenantPath('invitations'), {
        cookie: owen.cookie,
        body: { roles: ['member'], email: email('nina') },
      });
      expect(created.status).toBe(201);
      expect(
        (await send('DELETE', tenantPath(`invitations/${created.body!.id}`), { cookie: owen.cookie })).status,
      ).toBe(204);

      const listed = await send('GET', tenantPath('invitations'), { cookie: owen.cookie });
      expect(listed.body!.items.find((i: { id: string }) => i.id === created.body!.id).status).toBe(
        'revoked',
      );
      const signUp = await send('POST', '/auth/signup', {
        body: { email: created.body!.email, password: PASSWORD, invitationToken: created.body!.token },
      });
      expect(signUp.status).toBe(410);
      expect(signUp.body!.code).toBe('invitation_revoked');
      expect(
        (await send('DELETE', tenantPath(`invitations/${created.body!.id}`), { cookie: owen.cookie })).status,
      ).toBe(404);
    });

    it('answers bad invitation input with 400 and an unknown role with 422', async () => {
      const emailWithUses = await send('POST', tenantPath('invitations'), {
        cookie: owen.cookie,
        body: { roles: ['member'], email: email('ivy'), maxUses: 3 },
      });
      expect(emailWithUses.status).toBe(400);
      expect(emailWithUses.body!.code).toBe('invalid_request');
      const noRoles = await send('POST', tenantPath('invitations'), {
        cookie: owen.cookie,
        body: { roles: [] },
      });
      expect(noRoles.status).toBe(400);
      const unknownRole = await send('POST', tenantPath('invitations'), {
        cookie: owen.cookie,
        body: { roles: ['superuser'] },
      });
      expect(unknownRole.status).toBe(422);
      expect(unknownRole.body!.code).toBe('unknown_role');
      const badToken = await send('POST', '/auth/invitations/accept', {
        cookie: owen.cookie,
        body: { token: 'not-a-token' },
      });
      expect(badToken.status).toBe(400);
      expect(badToken.body!.code).toBe('invitation_invalid');
    });
  });
});
