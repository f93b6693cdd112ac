import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyFromUrl, kyselyStorage } from '@portcullis/adapter-kysely';
import { createAuth, silentLogger } from '@portcullis/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env,
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('portcullis keys', () => {
  const db = `sqlite:${join(dir, 'keys.db')}`;
  const issuer = 'https://app.example.com/auth';
  const env = { PORTCULLIS_KEY_ENCRYPTION_KEYS: 'k1:key-encryption-key-0123456789-abcdefghij' };
  const keys = (action: string, ...more: string[]) =>
    cli(['keys', action, ...more, '--database-url', db, '--issuer', issuer], env);

  it('lists, rotates and revokes the signing keys of an issuer', async () => {
    expect((await cli(['migrate', '--database-url', db])).code).toBe(0);
    expect((await keys('list')).stdout).toBe('KID  ALG  STATE  PUBLISHED  KEK  CREATED  CHANGED');

    // an empty issuer: rotate creates the first keys
    const first = await keys('rotate', '--algorithm', 'ES256');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ES256\s+active\s+yes\s+k1/);
    expect(first.stdout).toMatch(/ES256\s+next\s+yes\s+k1/);

    // the next key was published just now: rotating to it would outrun cached key sets
    const early = await keys('rotate', '--algorithm', 'ES256');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/signing_key_not_ready/);

    const active = /^(\S+)\s+ES256\s+active/m.exec(first.stdout)?.[1];
    expect(active).toBeDefined();
    const revoked = await keys('revoke', active!);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${active} (ES256)` });
    const listed = await keys('list');
    expect(listed.stdout).toMatch(new RegExp(`${active}\\s+ES256\\s+revoked\\s+no`));
    expect(listed.stdout).toMatch(/ES256\s+active\s+yes/);
  });

  it("with --tenant, manages an isolated-pool tenant's own issuer's keys, apart from the install's", async () => {
    expect((await cli(['migrate', '--database-url', db])).code).toBe(0);
    const { db: kysely, close } = await createKyselyFromUrl(db);
    const auth = createAuth({
      storage: kyselyStorage(kysely),
      secret: 'cli-test-secret-0123456789-abcdefghijklmnop',
      baseURL: issuer,
      logger: silentLogger,
      outbox: { autoStart: false },
    });
    const owner = await auth.api.signUp({
      email: 'owner@example.com',
      password: 'correct horse battery staple',
    });
    if ('pending' in owner) throw new Error('pending sign-up');
    const isolated = await auth.api.createTenant(owner.user.id, {
      slug: 'realm',
      name: 'Realm',
      userPool: 'isolated',
    });
    const shared = await auth.api.createTenant(owner.user.id, { slug: 'team', name: 'Team' });
    await auth.close();
    await close();

    const installBefore = (await keys('list')).stdout;
    const created = await keys('rotate', '--algorithm', 'EdDSA', '--tenant', isolated.id);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/EdDSA\s+active\s+yes\s+k1/);
    const tenantKid = /^(\S+)\s+EdDSA\s+active/m.exec(created.stdout)?.[1];
    expect((await keys('list', '--tenant', isolated.id)).stdout).toContain(tenantKid);
    // the install's keys are untouched and do not list the tenant's
    const installAfter = (await keys('list')).stdout;
    expect(installAfter).toBe(installBefore);
    expect(installAfter).not.toContain(tenantKid);
    // revoking names the tenant: the install has no such key
    expect((await keys('revoke', tenantKid!)).stderr).toMatch(/not_found/);
    expect((await keys('revoke', tenantKid!, '--tenant', isolated.id)).stdout).toBe(
      `revoked ${tenantKid} (EdDSA)`,
    );
    // a shared-pool tenant has no issuer of its own
    const sharedList = await keys('list', '--tenant', shared.id);
    expect(sharedList.code).toBe(1);
    expect(sharedList.stderr).toMatch(/not_found/);
  });

  it('refuses to change keys without key-encryption keys, and a missing issuer or kid', async () => {
    const noKek = await cli(['keys', 'rotate', '--database-url', db, '--issuer', issuer]);
    expect(noKek.code).toBe(2);
    expect(noKek.stderr).toMatch(/PORTCULLIS_KEY_ENCRYPTION_KEYS/);
    expect((await cli(['keys', 'list', '--database-url', db])).stderr).toMatch(/--issuer/);
    expect((await keys('revoke')).code).toBe(2);
    expect((await cli(['keys', 'burn', '--database-url', db, '--issuer', issuer])).code).toBe(2);
  });
});
