import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/memory/index.js';
import { PASSWORD, testAuth, uniqueEmail } from './support.js';

/** A storage whose account lookups by email wait until `release()`: what a slow database looks like. */
function storageWithHeldLookups() {
  const storage = memoryStorage();
  const lookup = storage.users.findByEmail.bind(storage.users);
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let hold = false;
  let asked = 0;
  storage.users.findByEmail = async (...args) => {
    if (hold) {
      asked++;
      await released;
    }
    return lookup(...args);
  };
  return {
    storage,
    holdLookups: () => {
      hold = true;
    },
    release,
    asked: () => asked,
  };
}

describe('mail requests answer before the account is looked up (timing: same work for known and unknown addresses)', () => {
  for (const [path, body] of [
    ['/password/forgot', {}],
    ['/magic-link', { redirectTo: '/dashboard' }],
  ] as const) {
    it(`${path}: answers 202 while the lookup has not even finished, then mails the link`, async () => {
      const held = storageWithHeldLookups();
      const { client, auth, sent } = testAuth({
        storage: held.storage,
        emailLinks: {
          resetPasswordUrl: 'https://app.example.com/reset',
          magicLinkUrl: 'https://app.example.com/magic',
          redirectAllowlist: ['/dashboard'],
        },
      });
      const email = uniqueEmail();
      await client.signUp(email, PASSWORD);
      held.holdLookups();

      const known = await client.post(path, { email, ...body });
      const unknown = await client.post(path, { email: uniqueEmail('ghost'), ...body });
      expect([known.status, unknown.status]).toEqual([202, 202]);
      expect(known.body).toEqual(unknown.body);
      expect(sent).toHaveLength(0);

      held.release();
      // the dispatcher waits for accepted requests before it looks for mail
      await auth.outbox.dispatchOnce();
      expect(held.asked()).toBe(2);
      expect(sent.map((m) => m.to)).toEqual([email]);
      await auth.close();
    });
  }

  it('auth.close() waits for accepted mail requests', async () => {
    const held = storageWithHeldLookups();
    const { storage } = held;
    const { client, auth } = testAuth({ storage });
    const email = uniqueEmail();
    await client.signUp(email, PASSWORD);
    held.holdLookups();
    expect((await client.post('/password/forgot', { email })).status).toBe(202);
    const closed = auth.close();
    held.release();
    await closed;
    const events = await storage.outbox.claimBatch(
      new Date(Date.now() + 60_000),
      10,
      new Date(Date.now() + 120_000),
    );
    expect(events.map((e) => e.type)).toContain('password.reset_requested');
  });
});
