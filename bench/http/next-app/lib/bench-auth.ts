import type { Auth } from '@portcullis/core';
import { createSessionHelpers } from '@portcullis/nextjs';
// plain JavaScript shared with the Express servers (typed from its JSDoc)
import { serverConfigFromEnv, startLibrary } from '../../server-auth.js';

/**
 * What this `next start` process serves, from `BENCH_HTTP_SERVER` (set by bench/http/run.js; not
 * set during `next build`, which evaluates the route module without serving it).
 */
export const library = process.env.BENCH_HTTP_SERVER ? serverConfigFromEnv().library : 'hello';

/** The Portcullis instance, created on first use and kept on globalThis (one per process). */
function getAuth(): Promise<Auth> {
  const store = globalThis as typeof globalThis & { portcullisBench?: Promise<Auth> };
  store.portcullisBench ??= startLibrary(serverConfigFromEnv()).then((started) => {
    if (!started.portcullis) throw new Error('this Next.js bench server serves Portcullis only');
    return started.portcullis;
  });
  return store.portcullisBench;
}

export const { getSession } = createSessionHelpers(getAuth);
