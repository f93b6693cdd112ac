import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BroadcastChannelLike, type SessionState, type TokenSet, tokenTransport } from '../src/index.js';
import {
  BASE_URL,
  clientOf,
  createServer,
  inProcessLocks,
  PASSWORD,
  type TestServer,
  uniqueEmail,
  until,
} from './support.js';

// Token mode across tabs: "tabs" are clients in one process sharing Node's BroadcastChannel (its
// messages cross objects asynchronously, in order, as a browser's do) and one in-process Web
// Locks implementation, against the real handler. The refresh token is single use: a second
// spend outside the server's short grace window would revoke the whole sign-in.

const ACCESS_TOKEN_SECONDS = 300;
const opened: Array<{ dispose(): void }> = [];

afterEach(() => {
  for (const tab of opened.splice(0)) tab.dispose();
  vi.useRealTimers();
});

/** Tabs of one browser: one lock manager, channels apart from every other test's. */
function browserOf(server: TestServer) {
  const locks = inProcessLocks();
  const prefix = Math.random().toString(36).slice(2);
  class Channel extends BroadcastChannel implements BroadcastChannelLike {
    constructor(name: string) {
      super(`${prefix}:${name}`);
    }
  }
  return {
    locks,
    openTab() {
      const tab = clientOf(server, {
        transport: tokenTransport({ crossTab: { locks, BroadcastChannel: Channel } }),
      });
      opened.push(tab);
      return tab;
    },
    /** The tabs' channel, as any script of the origin can open it. */
    openChannel() {
      const channel = new Channel(`portcullis-tokens:${BASE_URL}`);
      opened.push({ dispose: () => channel.close() });
      return channel;
    },
  };
}

type Tab = ReturnType<ReturnType<typeof browserOf>['openTab']>;

const statusOf = (tab: Tab): SessionState['status'] => tab.session.getSnapshot().status;

async function signedInTabs(server = createServer()) {
  const browser = browserOf(server);
  const first = browser.openTab();
  await first.signUp({ email: uniqueEmail(), password: PASSWORD });
  const second = browser.openTab();
  await second.session.refresh();
  const { user, session } = first.session.getSnapshot().data!;
  return { server, browser, first, second, user, session };
}

describe('token transport across tabs', () => {
  it('a new tab takes the signed-in tab’s tokens instead of counting as signed out', async () => {
    const { server, first, second, user } = await signedInTabs();
    expect(second.session.getSnapshot().data?.user.id).toBe(user.id);
    expect(server.count('POST /login')).toBe(0);
    expect(server.count('POST /signup')).toBe(1);
    // one lineage: the second tab's read used the first tab's access token
    const bearers = server.sent.filter((s) => s.route === 'GET /session').map((s) => s.authorization);
    expect(new Set(bearers).size).toBe(1);
    expect(first.transport.hasCredentials?.()).toBe(true);
  });

  it('a new tab with no signed-in tab around counts as signed out after a short wait, without a request', async () => {
    const server = createServer();
    const tab = browserOf(server).openTab();
    const started = performance.now();
    expect((await tab.session.refresh()).status).toBe('unauthenticated');
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(server.requests).toEqual([]);
  });

  it('two tabs past the access token’s expiry refresh once between them, and both keep working', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { server, browser, first, second, user, session } = await signedInTabs();

    for (let round = 1; round <= 3; round++) {
      vi.advanceTimersByTime((ACCESS_TOKEN_SECONDS - 10) * 1000);
      const [a, b, c] = await Promise.all([
        first.sessions.list(),
        second.sessions.list(),
        second.tenants.list(),
      ]);
      expect(a.items).toHaveLength(1);
      expect(b.items).toHaveLength(1);
      expect(c.items).toEqual([]);
      expect(server.count('POST /token/refresh')).toBe(round);
    }
    // both tabs asked for the lock; the later one found the pair already renewed
    expect(browser.locks.granted).toBeGreaterThanOrEqual(6);
    // no reuse was detected: the sign-in's session is alive and both tabs are signed in
    const active = await server.auth.api.listSessions(user.id);
    expect(active.map((s) => s.id)).toEqual([session.id]);
    expect([statusOf(first), statusOf(second)]).toEqual(['authenticated', 'authenticated']);
    const refreshed = server.sent.filter((s) => s.route === 'POST /token/refresh').map((s) => s.body);
    expect(new Set(refreshed).size).toBe(3);
  });

  it('two tabs refused at once by the server refresh once between them', async () => {
    const { server, first, second } = await signedInTabs();
    server.clock.aheadMs = (ACCESS_TOKEN_SECONDS + 5) * 1000;
    const results = await Promise.all([first.tenants.list(), second.tenants.list(), first.passkeys.list()]);
    expect(results).toHaveLength(3);
    expect(server.count('POST /token/refresh')).toBe(1);
  });

  it('signing out in one tab signs every tab out', async () => {
    const { server, first, second } = await signedInTabs();
    await second.signOut();
    await until(() => statusOf(first) === 'unauthenticated');
    expect(first.transport.hasCredentials?.()).toBe(false);
    await first.tenants.list().catch(() => {});
    expect(server.sent.at(-1)?.authorization).toBeNull();
  });

  it('a refresh refused in one tab signs the other out too', async () => {
    const { server, first, second, user, session } = await signedInTabs();
    await server.auth.api.revokeSession(user.id, session.id);
    await first.tenants.list().catch(() => {});
    expect(statusOf(first)).toBe('unauthenticated');
    await until(() => statusOf(second) === 'unauthenticated');
    expect(server.count('POST /token/refresh')).toBe(1);
  });

  it('a tab that signs in signs the open tabs in', async () => {
    const server = createServer();
    const email = uniqueEmail();
    await clientOf(server).signUp({ email, password: PASSWORD });
    const browser = browserOf(server);
    const first = browser.openTab();
    const second = browser.openTab();
    await Promise.all([first.session.refresh(), second.session.refresh()]);
    expect([statusOf(first), statusOf(second)]).toEqual(['unauthenticated', 'unauthenticated']);

    await first.signIn({ email, password: PASSWORD });
    await until(() => statusOf(second) === 'authenticated');
    expect(second.session.getSnapshot().data?.user.email).toBe(email);
  });

  // review finding: a message was trusted once it had a `type` and a `from`; a `tokens` message
  // without a pair threw in the listener, and one with numbers for tokens was adopted
  it('ignores malformed messages on the channel, keeping its tokens and without throwing', async () => {
    const { server, browser, first, second } = await signedInTabs();
    await first.sessions.list();
    const bearer = server.sent.at(-1)?.authorization;
    const channel = browser.openChannel();
    const answers: unknown[] = [];
    channel.addEventListener('message', (event) => answers.push(event.data));
    const pair = {
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: Date.now() + 60_000,
      obtainedAt: Date.now(),
    };
    for (const message of [
      null,
      'tokens',
      { type: 'tokens', from: 'stranger', signedIn: false, tokens: null },
      { type: 'tokens', from: 'stranger', signedIn: true },
      { type: 'tokens', from: 'stranger', signedIn: true, tokens: { ...pair, accessToken: 42 } },
      { type: 'tokens', from: 'stranger', signedIn: true, tokens: { ...pair, refreshToken: ['r'] } },
      { type: 'tokens', from: 'stranger', signedIn: true, tokens: { ...pair, expiresAt: 'later' } },
      { type: 'tokens', from: 'stranger', signedIn: true, tokens: { ...pair, obtainedAt: Number.NaN } },
      { type: 'tokens', from: 'stranger', signedIn: 'yes', tokens: pair },
      { type: 'clear', from: 42 },
      { type: 'barrier', from: 'stranger', nonce: 7 },
      { type: 'sign-everyone-out', from: 'stranger' },
    ]) {
      channel.postMessage(message);
    }
    // messages arrive in order: once the tabs answer this hello, they have read every one above
    channel.postMessage({ type: 'hello', from: 'stranger' });
    await until(() => answers.some((answer) => (answer as { type?: string }).type === 'tokens'));

    expect([statusOf(first), statusOf(second)]).toEqual(['authenticated', 'authenticated']);
    await first.sessions.list();
    expect(server.sent.at(-1)?.authorization).toBe(bearer);
    expect(server.count('POST /token/refresh')).toBe(0);
  });

  // review finding (the same bug before the call is sent): a call started as the previous user
  // waited for its early refresh, and was then sent with the token of the user signed in meanwhile
  it('sends a call without the token of a user who signed in in another tab during its early refresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { server, browser, first } = await signedInTabs();
    vi.advanceTimersByTime((ACCESS_TOKEN_SECONDS - 10) * 1000); // inside the skew: refreshed first
    let others: TokenSet | null = null;
    const other = uniqueEmail('other');
    await clientOf(server, {
      transport: tokenTransport({
        crossTab: false,
        storage: { load: () => null, save: (t) => void (others = t) },
      }),
    }).signUp({ email: other, password: PASSWORD });
    const release = server.hold('POST /token/refresh');
    const outcome = first.tenants
      .create({ slug: `t-${Date.now().toString(36)}`, name: 'Meant for the first user' })
      .catch((e) => e);
    await until(() => server.count('POST /token/refresh') === 1);

    // what a tab signing in posts (its own refresh would wait for this one's lock)
    browser
      .openChannel()
      .postMessage({ type: 'tokens', from: 'another-tab', tokens: others, signedIn: true });
    await until(() => first.session.getSnapshot().data?.user.email === other);
    release();

    expect(await outcome).toMatchObject({ status: 401 });
    expect(server.sent.find((s) => s.route === 'POST /tenants')?.authorization).toBeNull();
    expect(first.session.getSnapshot().data?.user.email).toBe(other);
  });
});
