import { afterEach, describe, expect, it } from 'vitest';
import type { Auth, KeyValue, Storage } from '../src/index.js';
import { memoryKeyValue, memoryStorage } from '../src/memory/index.js';
import { fakeClock, PASSWORD, testAuth } from './support.js';

// Each test here holds one layer of session safety on its own, with the others out of the way,
// so that a bug in one layer cannot hide behind another (issue 14: bugs planted in one layer
// passed every suite because the other still held). Each runs with the session cache (a shared
// key-value store) and without it.

const opened: Auth[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((auth) => auth.close()));
});

const email = () => `layer.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;

function app(options: {
  cached: boolean;
  storage?: Storage;
  keyValue?: KeyValue;
  clock?: ReturnType<typeof fakeClock>;
}) {
  const clock = options.clock ?? fakeClock();
  const { auth } = testAuth({
    clock,
    storage: options.storage ?? memoryStorage(),
    ...(options.cached ? { keyValue: options.keyValue ?? memoryKeyValue({ clock }) } : {}),
  });
  opened.push(auth);
  return { auth, clock };
}

async function signedUp(auth: Auth) {
  const result = await auth.api.signUp({ email: email(), password: PASSWORD });
  if ('pending' in result) throw new Error('unexpected pending sign-up');
  return result;
}

for (const cached of [false, true]) {
  describe(`session validation ${cached ? 'with' : 'without'} the session cache`, () => {
    it("refuses a session whose user is suspended, even when the user's sessions were not revoked", async () => {
      const storage = memoryStorage();
      const { auth, clock } = app({ cached, storage });
      const { token, user } = await signedUp(auth);
      // the status changes behind the service's back: the session row stays active, so only
      // validation's own status check can refuse it
      await storage.users.updateStatus(user.id, 'suspended', clock.now());
      expect(await auth.api.validateSessionToken(token)).toBeNull();
      expect(await auth.api.validateSessionToken(token)).toBeNull(); // the second one may be a cache hit
    });

    it('suspension revokes the stored sessions themselves, so reactivation does not bring them back', async () => {
      const storage = memoryStorage();
      const { auth, clock } = app({ cached, storage });
      const { token, user, session } = await signedUp(auth);
      await auth.api.suspendUser(user.id);
      // the storage layer on its own, without validation's status check
      expect(await storage.sessions.listActiveByUser(user.id, clock.now())).toEqual([]);
      await auth.api.reactivateUser(user.id);
      expect(await auth.api.validateSessionToken(token)).toBeNull();
      expect((await storage.sessions.listActiveByUser(user.id, clock.now())).map((s) => s.id)).not.toContain(
        session.id,
      );
    });

    it('refuses a session past its idle expiry though its absolute expiry is far off', async () => {
      const { auth, clock } = app({ cached });
      const { token } = await signedUp(auth);
      expect(await auth.api.validateSessionToken(token)).not.toBeNull(); // fills the cache when on
      const { idleTtlSeconds, absoluteTtlSeconds } = auth.config.session;
      expect(absoluteTtlSeconds).toBeGreaterThan(idleTtlSeconds + 60);
      clock.advance(idleTtlSeconds + 1);
      expect(await auth.api.validateSessionToken(token)).toBeNull();
    });
  });
}

describe('session cache', () => {
  it('forgets a revoked session on the revoking instance at once, without relying on its own pub/sub message', async () => {
    const clock = fakeClock();
    const base = memoryKeyValue({ clock });
    // a store whose messages are lost: the local eviction must not depend on them
    const deaf: KeyValue = { ...base, publish: async () => {}, subscribe: async () => async () => {} };
    const { auth } = app({ cached: true, keyValue: deaf, clock });
    const { token, user, session } = await signedUp(auth);
    expect(await auth.api.validateSessionToken(token)).not.toBeNull(); // in L1 now, fresh
    await auth.api.revokeSession(user.id, session.id);
    expect(await auth.api.validateSessionToken(token)).toBeNull();
  });

  it('never caches a session read before a revocation that committed before the versions were read', async () => {
    const clock = fakeClock();
    const base = memoryStorage();
    let revokeDuringRead: (() => Promise<void>) | undefined;
    // the database read of a fill returns what it read, but a revocation commits right after it
    const sessions = Object.create(base.sessions) as Storage['sessions'];
    sessions.findActiveByTokenHash = async (tokenHash, now) => {
      const found = await base.sessions.findActiveByTokenHash(tokenHash, now);
      const revoke = revokeDuringRead;
      revokeDuringRead = undefined;
      if (revoke) await revoke();
      return found;
    };
    const storage = Object.create(base) as Storage;
    Object.defineProperty(storage, 'sessions', { value: sessions });
    const { auth } = app({ cached: true, storage, clock });
    const { token, user } = await signedUp(auth);
    revokeDuringRead = async () => {
      await auth.api.revokeAllSessions(user.id);
    };
    expect(await auth.api.validateSessionToken(token)).toBeNull();
    // the read made before the revocation must not have been cached under the new versions
    expect(await auth.api.validateSessionToken(token)).toBeNull();
  });
});
