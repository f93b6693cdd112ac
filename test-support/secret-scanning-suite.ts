import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import {
  type Auth,
  type AuthConfig,
  createAuth,
  isAuthError,
  type Logger,
  type OutboxEvent,
  type Storage,
} from '@portcullis/core';
import type { StorageConformanceOptions } from '@portcullis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ORIGIN = 'http://localhost:3000';
const KEY_ID = 'f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d';
const REPORT_URL = 'https://github.com/octocat/hello/blob/1234567/config.yml';

/** A test key pair standing in for GitHub's: the public half configured, the private one signs. */
function testKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }) as string, privateKey };
}

const signBody = (body: string, key: KeyObject) =>
  sign('sha256', Buffer.from(body, 'utf8'), { key, dsaEncoding: 'der' }).toString('base64');

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The storage under test, and what the last test needs to scan every row it holds. */
export interface SecretScanningStorage extends StorageConformanceOptions {
  /** Every row of every table, as text; absent where the storage cannot list its tables. */
  dumpRows?: (storage: Storage) => Promise<string>;
}

/**
 * GitHub's secret scanning partner endpoint (`POST /secret-scanning/github`) through real HTTP
 * (`auth.handler`), on a real storage: a report signed with a test key pair revokes (or flags)
 * the reported API key once, with `api_key.leaked` in the audit log and the outbox; forged,
 * unsigned or mis-signed reports change nothing; tokens that are not ours cost no lookup; no raw
 * key lands in any row or log line. Requests come as GitHub's do: no Origin, no cookie.
 *
 * @example
 * describeSecretScanningOnStorage(`kysely + ${database.name}`, { ...kyselyConformance(database), dumpRows })
 */
export function describeSecretScanningOnStorage(name: string, options: SecretScanningStorage): void {
  describe(`GitHub secret scanning on ${name}`, () => {
    const github = testKeyPair();
    const stranger = testKeyPair();
    const lines: string[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, message?: string) =>
      void lines.push(JSON.stringify({ level, message, ...fields }));
    const logger: Logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    /** Every key a test created: none may be found in a row or a log line at the end. */
    const keys: string[] = [];
    let storage: Storage;
    /** The API key store's method calls, to prove a token that is not ours costs no lookup. */
    const calls: string[] = [];
    let counted: Storage;

    beforeAll(async () => {
      storage = await options.create();
      const apiKeys = new Proxy(storage.apiKeys, {
        get(target, method, receiver) {
          const value = Reflect.get(target, method, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(String(method));
            return value.apply(target, args);
          };
        },
      });
      counted = new Proxy(storage, {
        get: (target, prop, receiver) => (prop === 'apiKeys' ? apiKeys : Reflect.get(target, prop, receiver)),
      });
    });
    afterAll(async () => {
      await options.destroy?.(storage);
    });

    /** An install with secret scanning on, a tenant, and one of its API keys. */
    async function world(github_: Partial<NonNullable<AuthConfig['secretScanning']>['github']> = {}) {
      const events: OutboxEvent[] = [];
      const auth = createAuth({
        storage: counted,
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: ORIGIN,
        logger,
        rateLimit: { enabled: false },
        outbox: { autoStart: false, subscribers: [{ name: 'capture', handle: (e) => void events.push(e) }] },
        authorization: { permissions: { invoice: ['read'] } },
        secretScanning: { github: { publicKeys: [{ keyIdentifier: KEY_ID, key: github.pem }], ...github_ } },
      });
      const unique = `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
      const owner = (await auth.api.signUp({
        email: `owner.${unique}@example.com`,
        password: 'correct horse battery staple',
      })) as { user: { id: string } };
      const tenant = await auth.api.createTenant(owner.user.id, {
        slug: `leak-${unique.replace('.', '-')}`,
        name: 'L',
      });
      const created = await auth.api.createApiKey(tenant.id, owner.user.id, {
        name: 'deploys',
        permissions: ['invoice.read'],
      });
      keys.push(created.key);
      const report = (body: string, headers: Record<string, string>) => post(auth, body, headers);
      const signed = (body: string, key = github.privateKey, keyIdentifier = KEY_ID) =>
        report(body, {
          'github-public-key-identifier': keyIdentifier,
          'github-public-key-signature': signBody(body, key),
        });
      const leakEntries = async () =>
        (await storage.audit.list(tenant.id, { limit: 100 })).filter((e) => e.action === 'api_key.leaked');
      /** The leak events delivered since the last call. */
      const deliver = async () => {
        events.length = 0;
        while ((await auth.outbox.dispatchOnce()) > 0);
        // the outbox is the storage's: other tests' tenants' events may be delivered here too
        return events.filter((e) => e.type === 'api_key.leaked' && e.tenantId === tenant.id);
      };
      const refusal = async () => {
        try {
          await auth.api.verifyApiKey(created.key);
          return 'verified';
        } catch (error) {
          if (isAuthError(error)) return error.code;
          throw error;
        }
      };
      return {
        auth,
        tenant,
        ownerId: owner.user.id,
        key: created.key,
        apiKeyId: created.apiKey.id,
        signed,
        report,
        leakEntries,
        deliver,
        refusal,
      };
    }

    const alert = (token: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify([{ token, type: 'portcullis_api_key', url: REPORT_URL, source: 'content', ...extra }]);

    it('revokes a reported key at once, answers in the partner format and audits it once', async () => {
      const w = await world();
      expect(await w.refusal()).toBe('verified');
      const foreign = 'ghp_notoursAtAll0123456789abcdefghijklmn';
      const body = JSON.stringify([
        { token: w.key, type: 'portcullis_api_key', url: REPORT_URL, source: 'content' },
        { token: foreign, type: 'portcullis_api_key', url: REPORT_URL, source: 'commit' },
      ]);
      const answer = await w.signed(body);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        { token_hash: sha256(w.key), token_type: 'portcullis_api_key', label: 'true_positive' },
        { token_hash: sha256(foreign), token_type: 'portcullis_api_key', label: 'false_positive' },
      ]);
      expect(await w.refusal()).toBe('api_key_revoked');
      const stored = await storage.apiKeys.findById(w.tenant.id, w.apiKeyId);
      expect(stored).toMatchObject({ status: 'revoked', revokedReason: 'leaked' });
      expect(stored?.leakReportedAt).toBeInstanceOf(Date);

      const [entry, ...more] = await w.leakEntries();
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        actorType: 'system',
        actorId: null,
        targetType: 'api_key',
        targetId: w.apiKeyId,
        data: { reporter: 'github', url: REPORT_URL, source: 'content', revoked: true, onLeak: 'revoke' },
      });
      const [event, ...moreEvents] = await w.deliver();
      expect(moreEvents).toEqual([]);
      expect(event?.tenantId).toBe(w.tenant.id);
      expect(event?.payload).toMatchObject({
        // named after the target type, as every api_key.* event's
        api_keyId: w.apiKeyId,
        url: REPORT_URL,
        source: 'content',
        revoked: true,
        actor: { type: 'system', id: null },
      });

      // GitHub retries and re-scans: the same report again answers the same and changes nothing
      const again = await w.signed(body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(answer.body);
      expect(await w.leakEntries()).toHaveLength(1);
      expect(await w.deliver()).toEqual([]);
    });

    // regression (second review): a rotated-out predecessor spends its successor's credits, so it
    // must end when a leak report revokes the successor
    it('ends the overlap of a predecessor when a leak report revokes its successor', async () => {
      const w = await world();
      const next = await w.auth.api.rotateApiKey(w.tenant.id, w.ownerId, w.apiKeyId);
      expect(await w.refusal()).toBe('verified'); // the old key, in its overlap
      const answer = await w.signed(alert(next.key));
      expect(answer.status).toBe(200);
      expect(await w.refusal()).toBe('api_key_revoked');
      expect(await storage.apiKeys.findById(w.tenant.id, w.apiKeyId)).toMatchObject({
        status: 'revoked',
        revokedReason: 'superseded',
      });
      const [entry] = await w.leakEntries();
      expect(entry).toMatchObject({ targetId: next.apiKey.id, data: { endedOverlapOf: w.apiKeyId } });
    });

    it('flags a reported key with onLeak: flag: it keeps working and shows leakReportedAt', async () => {
      const w = await world({ onLeak: 'flag' });
      const answer = await w.signed(alert(w.key));
      expect(answer.body).toEqual([
        { token_hash: sha256(w.key), token_type: 'portcullis_api_key', label: 'true_positive' },
      ]);
      const verified = await w.auth.api.verifyApiKey(w.key);
      expect(verified.apiKey.leakReportedAt).toBeInstanceOf(Date);
      const listed = await w.auth.api.listApiKeys(w.tenant.id, w.ownerId);
      expect(listed.items.find((k) => k.id === w.apiKeyId)?.leakReportedAt).toEqual(
        verified.apiKey.leakReportedAt,
      );
      const entries = await w.leakEntries();
      expect(entries.map((e) => e.data)).toEqual([
        expect.objectContaining({ revoked: false, onLeak: 'flag', url: REPORT_URL }),
      ]);
      expect((await w.signed(alert(w.key))).body[0].label).toBe('true_positive');
      expect(await w.leakEntries()).toHaveLength(1);
      expect(await w.refusal()).toBe('verified');
    });

    it('refuses a report of an unknown key id, a bad signature, a signature over other bytes or a missing header, and changes nothing', async () => {
      const w = await world();
      const body = alert(w.key);
      const refusals = [
        await w.signed(body, github.privateKey, 'not-a-known-key-id'),
        await w.signed(body, stranger.privateKey),
        await w.report(body, {
          'github-public-key-identifier': KEY_ID,
          'github-public-key-signature': signBody(alert(w.key, { source: 'commit' }), github.privateKey),
        }),
        await w.report(body, {
          'github-public-key-identifier': KEY_ID,
          'github-public-key-signature': 'not base64!',
        }),
      ];
      for (const refused of refusals) {
        expect(refused.status).toBe(401);
        expect(refused.headers.get('content-type')).toBe('application/problem+json');
        expect(refused.body.code).toBe('signature_invalid');
      }
      const missing = [
        await w.report(body, { 'github-public-key-signature': signBody(body, github.privateKey) }),
        await w.report(body, { 'github-public-key-identifier': KEY_ID }),
      ];
      for (const refused of missing)
        expect([refused.status, refused.body.code]).toEqual([400, 'invalid_request']);
      expect(await w.refusal()).toBe('verified');
      expect(await w.leakEntries()).toEqual([]);
      expect(await w.deliver()).toEqual([]);
      expect((await storage.apiKeys.findById(w.tenant.id, w.apiKeyId))?.leakReportedAt).toBeNull();

      // signed, but not the alert format: refused as bad input, still nothing changed
      const notJson = '[{"token": ';
      expect((await w.signed(notJson)).body.code).toBe('invalid_json');
      expect((await w.signed(JSON.stringify({ token: w.key }))).body.code).toBe('invalid_request');
      expect(await w.refusal()).toBe('verified');
    });

    it('answers false_positive without a lookup for a token with a bad checksum or another prefix', async () => {
      const w = await world();
      const last = w.key.at(-1) === 'A' ? 'B' : 'A';
      const badChecksum = `${w.key.slice(0, -1)}${last}`;
      const otherPrefix = `xy${w.key.slice(2)}`;
      const body = JSON.stringify([
        { token: badChecksum, type: 'portcullis_api_key' },
        { token: otherPrefix, type: 'portcullis_api_key' },
      ]);
      calls.length = 0;
      const answer = await w.signed(body);
      expect(answer.body).toEqual([
        { token_hash: sha256(badChecksum), token_type: 'portcullis_api_key', label: 'false_positive' },
        { token_hash: sha256(otherPrefix), token_type: 'portcullis_api_key', label: 'false_positive' },
      ]);
      expect(calls).toEqual([]);
      expect(await w.refusal()).toBe('verified');
    });

    it('answers 404 when secret scanning is not configured', async () => {
      const auth = createAuth({
        storage: counted,
        secret: 'test-secret-0123456789-abcdefghijklmnop',
        baseURL: ORIGIN,
        logger,
        outbox: { autoStart: false },
      });
      const body = alert('pc_live_x');
      const answer = await post(auth, body, {
        'github-public-key-identifier': KEY_ID,
        'github-public-key-signature': signBody(body, github.privateKey),
      });
      expect([answer.status, answer.body.code]).toEqual([404, 'not_found']);
    });

    it('keeps no reported key in any row or log line', async ({ skip }) => {
      expect(keys.length).toBeGreaterThan(3);
      const logs = lines.join('\n');
      expect(logs).toContain('secret scanning');
      for (const key of keys) {
        const secretPart = key.slice(key.lastIndexOf('_') + 1, -4);
        expect(logs).not.toContain(secretPart);
      }
      if (!options.dumpRows) return skip('this storage cannot list its rows');
      const rows = await options.dumpRows(storage);
      expect(rows).toContain('api_key.leaked');
      for (const key of keys) {
        const secretPart = key.slice(key.lastIndexOf('_') + 1, -4);
        expect(rows).not.toContain(secretPart);
        expect(rows).not.toContain(sha256(key));
      }
    });
  });
}

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
}

/** A POST as GitHub sends it: JSON, its two headers, no Origin and no cookie. */
async function post(auth: Auth, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await auth.handler(
    new Request(`${ORIGIN}/auth/secret-scanning/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
    { clientIp: '140.82.112.1' },
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}
