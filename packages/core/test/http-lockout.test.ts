import { describe, expect, it, vi } from 'vitest';
import { totpCodeAt, totpStep } from '../src/credentials/totp/totp-code.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import type { Storage } from '../src/ports/storage.js';
import { fakeClock, PASSWORD, type TestResponse, testAuth, uniqueEmail } from './support.js';

const WRONG = 'wrong password but long';
const DAY_SECONDS = 86_400;

/**
 * One database and one clock; each `instance()` is the app after a restart of its cache: a new,
 * empty key-value store (what a Redis FLUSHALL leaves; adapter-redis tests the real one).
 */
function deployment(
  lockout: { freeAttempts: number; maxFailures: number },
  storage: Storage = memoryStorage(),
) {
  const clock = fakeClock();
  const instance = () =>
    testAuth({ clock, storage, keyValue: memoryKeyValue({ clock }), lockout, rateLimit: { enabled: false } })
      .client;
  return { clock, storage, instance };
}

/** What an observer sees of a response, without what differs on every request anyway. */
function observable(res: TestResponse) {
  const { requestId: _requestId, ...body } = res.body;
  const headers = [...res.headers.keys()].filter((name) => name !== 'x-request-id').sort();
  return { status: res.status, body, headers, retryAfter: res.headers.get('retry-after') };
}

describe('account lockout that survives a key-value flush', () => {
  it('keeps the delay and then the lock of known and unknown accounts alike when the cache is emptied', async () => {
    const { clock, instance } = deployment({ freeAttempts: 2, maxFailures: 6 });
    let client = instance();
    const email = uniqueEmail();
    await client.signUp(email);
    const ghost = uniqueEmail('ghost');

    // two free attempts and one through the gate: the next waits 2 s
    for (const target of [email, ghost]) {
      for (let i = 0; i < 3; i++)
        expect((await client.post('/login', { email: target, password: WRONG })).status).toBe(401);
    }
    client = instance();
    const delayed = await client.post('/login', { email, password: PASSWORD });
    const delayedGhost = await client.post('/login', { email: ghost, password: PASSWORD });
    expect(delayed.status).toBe(429);
    expect(delayed.body.code).toBe('account_locked');
    expect(Number(delayed.headers.get('retry-after'))).toBe(2);
    expect(observable(delayedGhost)).toEqual(observable(delayed));

    // three more failures, each after its delay: six, the lock
    for (let i = 0; i < 3; i++) {
      clock.advance(900);
      for (const target of [email, ghost]) {
        expect((await client.post('/login', { email: target, password: WRONG })).status).toBe(401);
      }
    }
    clock.advance(900);
    client = instance();
    const locked = await client.post('/login', { email, password: PASSWORD });
    const lockedGhost = await client.post('/login', { email: ghost, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('account_locked');
    // locked until a day after the last failure, not until the next small delay
    expect(Number(locked.headers.get('retry-after'))).toBe(DAY_SECONDS - 900);
    expect(observable(lockedGhost)).toEqual(observable(locked));

    // the lock lapses a day after the last failure
    clock.advance(DAY_SECONDS);
    client = instance();
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('starts the durable count over on a success', async () => {
    const { clock, instance } = deployment({ freeAttempts: 2, maxFailures: 100 });
    let client = instance();
    const email = uniqueEmail();
    await client.signUp(email);
    for (let i = 0; i < 3; i++) await client.post('/login', { email, password: WRONG });
    clock.advance(3);
    client = instance();
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);

    // had the count stayed at 3, the second attempt would wait for a gate
    client = instance();
    for (let i = 0; i < 3; i++)
      expect((await client.post('/login', { email, password: WRONG })).status).toBe(401);
    expect((await client.post('/login', { email, password: WRONG })).status).toBe(429);
  });

  it('lets exactly one of 20 concurrent wrong guesses through after a flush, once the delay has run', async () => {
    const { clock, instance } = deployment({ freeAttempts: 2, maxFailures: 100 });
    let client = instance();
    const email = uniqueEmail();
    await client.signUp(email);
    for (let i = 0; i < 3; i++) await client.post('/login', { email, password: WRONG });
    clock.advance(3);
    client = instance();

    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.post('/login', { email, password: WRONG }).then((r) => r.status),
      ),
    );

    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
  });

  it('counts wrong TOTP codes durably: after a flush the second factor stays locked, the password does not', async () => {
    const { clock, instance } = deployment({ freeAttempts: 10, maxFailures: 4 });
    let client = instance();
    const email = uniqueEmail('mfa');
    const { cookie } = await client.signUp(email);
    const setup = await client.post('/mfa/totp/setup', {}, cookie);
    const secret = setup.body.secret as string;
    await client.post('/mfa/totp/confirm', { code: totpCodeAt(secret, totpStep(clock.now())) }, cookie);
    clock.advance(30);

    const challengeId = (await client.post('/login', { email, password: PASSWORD })).body.challengeId;
    for (let i = 0; i < 4; i++) {
      expect((await client.post('/mfa/verify', { challengeId, method: 'totp', code: '000000' })).status).toBe(
        401,
      );
    }
    client = instance();
    // the password still opens a challenge (wrong codes never lock it), but no code is checked any more
    const again = await client.post('/login', { email, password: PASSWORD });
    expect(again.body.mfaRequired).toBe(true);
    const code = totpCodeAt(secret, totpStep(clock.now()));
    const refused = await client.post('/mfa/verify', {
      challengeId: again.body.challengeId,
      method: 'totp',
      code,
    });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('account_locked');
  });

  it('counts wrong recovery codes durably too', async () => {
    const { clock, instance } = deployment({ freeAttempts: 1, maxFailures: 100 });
    let client = instance();
    const email = uniqueEmail('mfa');
    const { cookie } = await client.signUp(email);
    const setup = await client.post('/mfa/totp/setup', {}, cookie);
    const confirm = await client.post(
      '/mfa/totp/confirm',
      { code: totpCodeAt(setup.body.secret, totpStep(clock.now())) },
      cookie,
    );
    const [recoveryCode] = confirm.body.recoveryCodes as string[];
    clock.advance(30);

    const challengeId = (await client.post('/login', { email, password: PASSWORD })).body.challengeId;
    clock.advance(60);
    const wrong = await client.post('/mfa/verify', {
      challengeId,
      method: 'recovery_code',
      code: 'aaaaa-bbbbb',
    });
    expect(wrong.status).toBe(401);
    clock.advance(60);
    expect(
      (await client.post('/mfa/verify', { challengeId, method: 'recovery_code', code: 'aaaaa-bbbbb' }))
        .status,
    ).toBe(401);
    // two failures recorded: after a flush the next code waits 2 s, the password does not
    client = instance();
    const next = await client.post('/login', { email, password: PASSWORD });
    expect(next.body.mfaRequired).toBe(true);
    const early = await client.post('/mfa/verify', {
      challengeId: next.body.challengeId,
      method: 'recovery_code',
      code: recoveryCode,
    });
    expect(early.status).toBe(429);
    expect(early.body.code).toBe('account_locked');
    clock.advance(3);
    const used = await client.post('/mfa/verify', {
      challengeId: next.body.challengeId,
      method: 'recovery_code',
      code: recoveryCode,
    });
    expect(used.status).toBe(200);
  });

  it('costs a successful sign-in of an account without failures no statement of its own', async () => {
    const storage = memoryStorage();
    const calls = {
      find: vi.spyOn(storage.credentialFailures, 'find'),
      recordFailure: vi.spyOn(storage.credentialFailures, 'recordFailure'),
      clear: vi.spyOn(storage.credentialFailures, 'clear'),
      signInRead: vi.spyOn(storage.signIn, 'findAccountByEmail'),
    };
    const { instance } = deployment({ freeAttempts: 5, maxFailures: 100 }, storage);
    const client = instance();
    const email = uniqueEmail();
    await client.signUp(email);

    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    expect(calls.signInRead).toHaveBeenCalledTimes(1);
    expect(calls.find).not.toHaveBeenCalled();
    expect(calls.recordFailure).not.toHaveBeenCalled();
    expect(calls.clear).not.toHaveBeenCalled();

    // a failure is written; the next success clears it, once
    expect((await client.post('/login', { email, password: WRONG })).status).toBe(401);
    expect(calls.recordFailure).toHaveBeenCalledTimes(1);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    expect(calls.clear).toHaveBeenCalledTimes(1);
    expect((await client.post('/login', { email, password: PASSWORD })).status).toBe(200);
    expect(calls.clear).toHaveBeenCalledTimes(1);
    expect(calls.find).not.toHaveBeenCalled();
  });

  it('stores no email: the record is keyed by a keyed hash of the typed account', async () => {
    const storage = memoryStorage();
    const { instance } = deployment({ freeAttempts: 5, maxFailures: 100 }, storage);
    const record = vi.spyOn(storage.credentialFailures, 'recordFailure');
    const ghost = uniqueEmail('ghost');
    await instance().post('/login', { email: ghost, password: WRONG });
    const [key] = record.mock.calls[0]!;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(ghost);
  });
});
