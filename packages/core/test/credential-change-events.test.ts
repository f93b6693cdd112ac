import { describe, expect, it } from 'vitest';
import { auditChainKey } from '../src/audit/audit.js';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { memoryStorage } from '../src/memory/index.js';
import type { OutboxEvent } from '../src/outbox/outbox.js';
import { fakeClock, PASSWORD, type TestResponse, testAuth, uniqueEmail } from './support.js';

const NEW_PASSWORD = 'a brand new passphrase for this account';
const NEWER_PASSWORD = 'and yet another passphrase for it';

/**
 * The issue: "every credential change emits a security outbox event and an audit event". This
 * walks every flow that changes a credential, a session or the proven email of one user, and
 * checks both records of each change.
 */
describe('every credential and session change records an audit event and an outbox event', () => {
  it('walks sign-up, verification, password change and reset, TOTP, recovery codes, magic links, step-up and revocations', async () => {
    const storage = memoryStorage();
    const clock = fakeClock(Date.now());
    const events: OutboxEvent[] = [];
    const { auth, client, sent } = testAuth({
      storage,
      clock,
      rateLimit: { enabled: false },
      outbox: { autoStart: false, subscribers: [{ name: 'capture', handle: (e) => void events.push(e) }] },
      emailLinks: {
        verifyEmailUrl: 'https://app.example.com/verify-email',
        resetPasswordUrl: 'https://app.example.com/reset-password',
        magicLinkUrl: 'https://app.example.com/magic-link',
      },
    });
    const deliver = async () => {
      while ((await auth.outbox.dispatchOnce()) > 0);
    };
    const tokenMailedTo = async (to: string) => {
      await deliver();
      const token = sent
        .filter((m) => m.to === to)
        .at(-1)
        ?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
      if (!token) throw new Error(`no link mailed to ${to}`);
      return token;
    };
    const expectOk = <T extends TestResponse>(res: T, status = 200): T => {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      return res;
    };

    // the second user only signs in by magic link: their address is proven by the link itself
    const email = uniqueEmail('walk');
    const linkOnly = uniqueEmail('link');
    const signedUp = await client.signUp(email);
    const userId = signedUp.body.user.id as string;
    let cookie = signedUp.cookie;
    const linkUserId = (await client.signUp(linkOnly)).body.user.id as string;

    expectOk(await client.post('/email/verification', {}, cookie), 202);
    expectOk(await client.post('/email/verify', { token: await tokenMailedTo(email) }, cookie));

    expectOk(await client.post('/login', { email, password: PASSWORD }));
    const changed = expectOk(
      await client.post('/password/change', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, cookie),
    );
    expect(changed.body).toMatchObject({ revokedSessions: 1 });

    expectOk(await client.post('/password/forgot', { email }), 202);
    expectOk(
      await client.post('/password/reset', { token: await tokenMailedTo(email), password: NEWER_PASSWORD }),
    );
    cookie = expectOk(await client.post('/login', { email, password: NEWER_PASSWORD })).cookie;

    const setup = expectOk(await client.post('/mfa/totp/setup', {}, cookie));
    const secret = setup.body.secret as string;
    expectOk(
      await client.post('/mfa/totp/confirm', { code: totpCodeAt(secret, totpStep(clock.now())) }, cookie),
    );
    clock.advance(30);
    const regenerated = expectOk(await client.post('/mfa/recovery-codes', {}, cookie));
    const recoveryCode = (regenerated.body.recoveryCodes as string[])[0]!;

    const challenge = expectOk(await client.post('/login', { email, password: NEWER_PASSWORD }));
    const viaRecovery = expectOk(
      await client.post('/mfa/verify', {
        challengeId: challenge.body.challengeId,
        method: 'recovery_code',
        code: recoveryCode,
      }),
    );
    const other = viaRecovery.body.session.id as string;
    expectOk(await client.call('DELETE', `/sessions/${other}`, { cookie }), 204);

    clock.advance(600); // the session is no longer fresh: disabling asks for the password again
    expect((await client.call('DELETE', '/mfa/totp', { cookie })).body.code).toBe('step_up_required');
    expectOk(await client.post('/reauthenticate', { password: NEWER_PASSWORD }, cookie));
    expectOk(await client.call('DELETE', '/mfa/totp', { cookie }), 204);

    expectOk(await client.post('/login', { email, password: NEWER_PASSWORD }));
    expectOk(await client.post('/sessions/revoke-others', {}, cookie));
    expectOk(await client.post('/logout', {}, cookie), 204);

    expectOk(await client.post('/magic-link', { email: linkOnly }), 202);
    expectOk(await client.post('/magic-link/verify', { token: await tokenMailedTo(linkOnly) }));
    await deliver();

    const expected: [string, string, Record<string, unknown>?][] = [
      [userId, 'user.created'],
      [userId, 'session.created', { method: 'pwd' }],
      [userId, 'email.verified'],
      [userId, 'password.changed'],
      [userId, 'password.reset'],
      [userId, 'mfa.totp_enabled'],
      [userId, 'mfa.recovery_codes_generated'],
      [userId, 'mfa.recovery_code_used'],
      [userId, 'session.created', { method: 'otp' }],
      [userId, 'session.revoked', { reason: 'user_revoked' }],
      [userId, 'session.reauthenticated'],
      [userId, 'mfa.totp_disabled'],
      [userId, 'session.revoked_all', { reason: 'revoked_by_user' }],
      [userId, 'session.revoked_all', { reason: 'password_changed' }],
      [linkUserId, 'email.verified', { via: 'magic_link' }],
      [linkUserId, 'session.created', { method: 'email' }],
    ];
    const audit = {
      [userId]: await storage.audit.list(auditChainKey({ userId }), { limit: 200 }),
      [linkUserId]: await storage.audit.list(auditChainKey({ userId: linkUserId }), { limit: 200 }),
    };
    for (const [subject, action, data = {}] of expected) {
      const audited = audit[subject]!.filter((e) => e.action === action);
      expect(
        audited.some((e) => matches(e.data, data)),
        `audit ${action} ${JSON.stringify(data)}`,
      ).toBe(true);
      const published = events.filter(
        (e) =>
          e.type === action &&
          (e.payload.userId === subject || (e.payload.actor as { id?: string }).id === subject),
      );
      expect(
        published.some((e) => matches(e.payload, data)),
        `outbox ${action} ${JSON.stringify(data)}`,
      ).toBe(true);
    }
  });
});

function matches(record: Record<string, unknown>, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(([key, value]) => record[key] === value);
}
