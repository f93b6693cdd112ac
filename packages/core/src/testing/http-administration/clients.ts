import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../crypto/random.js';
import type { StorageConformanceOptions } from '../storage-conformance.js';
import { openConformanceAuth } from './conformance-auth.js';
import { ORIGIN } from './http-client.js';

const PASSWORD = 'correct horse battery staple';
const unique = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;

/**
 * Declares the M2M clients HTTP suite: `auth.handler` over the storage under test, managing
 * clients and using them at the OAuth endpoints, with the rules that depend on the database —
 * secrets stored as hashes, one winner among concurrent rotations, the overlap's last use
 * recorded, tenant and environment isolation at introspection, deletion ending the client. Run it
 * beside `describeStorageConformance` in every adapter × database test file.
 *
 * @example
 * describeClientsConformance('kysely + postgres', kyselyConformance(database))
 */
export function describeClientsConformance(name: string, options: StorageConformanceOptions): void {
  describe(`M2M clients over HTTP: ${name}`, () => {
    const world = openConformanceAuth(options, { clients: { scopes: { 'reports:read': ['tenant.read'] } } });

    async function tenant() {
      const address = `${unique('owner')}@example.test`;
      const signedUp = await world.call('POST', '/signup', { email: address, password: PASSWORD });
      expect(signedUp.status).toBe(201);
      const cookie = signedUp.cookie ?? '';
      const created = await world.call('POST', '/tenants', { slug: unique('t'), name: 'Acme' }, cookie);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const createClient = async (body: Record<string, unknown> = {}) => {
        const res = await world.call('POST', `/tenants/${id}/clients`, { name: 'Worker', ...body }, cookie);
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body as { id: string; secret: string };
      };
      return { id, cookie, createClient };
    }

    async function form(path: string, params: Record<string, string>) {
      const response = await world.auth.handler(
        new Request(`${ORIGIN}/auth${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(params).toString(),
        }),
        { clientIp: '127.0.0.1' },
      );
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    }
    const token = (client: { id: string; secret: string }) =>
      form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.secret,
      });
    const introspect = (caller: { id: string; secret: string }, accessToken: string) =>
      form('/oauth/introspect', { token: accessToken, client_id: caller.id, client_secret: caller.secret });

    it('creates a client whose secret is stored as its hash, and issues it a token of its tenant and environment', async () => {
      const { id, createClient } = await tenant();
      const client = await createClient({ environment: 'test', scopes: ['reports:read'] });
      expect((await world.storage.clients.findById(client.id))?.secretHash).toBe(sha256Hex(client.secret));

      const issued = await token(client);
      expect(issued.status).toBe(200);
      const principal = await world.auth.api.verifyAccessToken(issued.body.access_token);
      expect(principal).toMatchObject({
        tenantId: id,
        environment: 'test',
        clientId: client.id,
        scopes: ['reports:read'],
      });
    });

    it("introspects only its own tenant's and environment's tokens", async () => {
      const first = await tenant();
      const second = await tenant();
      const worker = await first.createClient();
      const issued = (await token(worker)).body.access_token as string;

      expect((await introspect(await first.createClient(), issued)).body).toMatchObject({
        active: true,
        client_id: worker.id,
      });
      expect((await introspect(await first.createClient({ environment: 'test' }), issued)).body).toEqual({
        active: false,
      });
      expect((await introspect(await second.createClient(), issued)).body).toEqual({ active: false });
    });

    it('rotates under concurrency without losing the current secret, keeps the old one for the overlap and records its use', async () => {
      const { id, cookie, createClient } = await tenant();
      const raced = await createClient();
      const rotations = await Promise.all(
        Array.from({ length: 10 }, () =>
          world.call(
            'POST',
            `/tenants/${id}/clients/${raced.id}/rotate-secret`,
            { overlapSeconds: 60 },
            cookie,
          ),
        ),
      );
      // each rotation replaces the secret it read: the ones that read the same lose with 409
      expect(rotations.every((r) => r.status === 200 || r.status === 409)).toBe(true);
      const secrets = rotations.filter((r) => r.status === 200).map((r) => r.body.secret as string);
      expect(secrets.length).toBeGreaterThanOrEqual(1);
      const stored = await world.storage.clients.findById(raced.id);
      const current = secrets.find((secret) => sha256Hex(secret) === stored?.secretHash);
      expect(current).toBeDefined();
      expect((await token({ id: raced.id, secret: current ?? '' })).status).toBe(200);

      const client = await createClient();
      const rotated = await world.call(
        'POST',
        `/tenants/${id}/clients/${client.id}/rotate-secret`,
        { overlapSeconds: 60 },
        cookie,
      );
      expect(rotated.status).toBe(200);
      world.nowMs += 10_000;
      expect((await token(client)).status).toBe(200);
      expect((await token({ id: client.id, secret: rotated.body.secret })).status).toBe(200);
      const listed = await world.call('GET', `/tenants/${id}/clients`, undefined, cookie);
      const shown = listed.body.items.find((c: { id: string }) => c.id === client.id);
      expect(shown.previousSecret.lastUsedAt).toBe(new Date(world.nowMs).toISOString());

      world.nowMs += 60_000;
      expect((await token(client)).body.error).toBe('invalid_client');
    });

    it('deletes a client in its own tenant only: 404 elsewhere, then no more tokens', async () => {
      const first = await tenant();
      const second = await tenant();
      const client = await first.createClient();
      expect(
        (await world.call('DELETE', `/tenants/${second.id}/clients/${client.id}`, undefined, second.cookie))
          .status,
      ).toBe(404);
      expect((await token(client)).status).toBe(200);
      expect(
        (await world.call('DELETE', `/tenants/${first.id}/clients/${client.id}`, undefined, first.cookie))
          .status,
      ).toBe(204);
      expect((await token(client)).body.error).toBe('invalid_client');
    });
  });
}
