import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientOf, createServer, PASSWORD, uniqueEmail } from './support.js';

// Refresh on focus and on coming back online, in a DOM: one `GET /session` per burst of events,
// none while the tab is hidden, none within the dedupe window.

afterEach(() => {
  vi.useRealTimers();
});

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
}

async function signedIn() {
  const server = createServer();
  const client = clientOf(server, { refreshOnFocus: true, sessionDedupeMs: 2000 });
  await client.signUp({ email: uniqueEmail(), password: PASSWORD });
  return { server, client };
}

describe('session refresh on focus', () => {
  it('reads the session once for a burst of focus, visibilitychange and online events', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    setVisibility('visible');
    const { server, client } = await signedIn();
    vi.advanceTimersByTime(2001);

    window.dispatchEvent(new Event('focus'));
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(50);
    window.dispatchEvent(new Event('online'));
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(99);
    expect(server.count('GET /session')).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(server.count('GET /session')).toBe(1));

    // a second burst inside the dedupe window asks nothing
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(200);
    expect(server.count('GET /session')).toBe(1);
    client.dispose();
  });

  it('ignores a tab going hidden, and stops listening once disposed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { server, client } = await signedIn();
    vi.advanceTimersByTime(2001);

    setVisibility('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(500);
    expect(server.count('GET /session')).toBe(0);

    setVisibility('visible');
    client.dispose();
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(500);
    expect(server.count('GET /session')).toBe(0);
  });

  it('does not listen when refreshOnFocus is false', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    setVisibility('visible');
    const server = createServer();
    const client = clientOf(server, { refreshOnFocus: false, initialSession: null });
    vi.advanceTimersByTime(5000);
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(500);
    expect(server.count('GET /session')).toBe(0);
    client.dispose();
  });
});
