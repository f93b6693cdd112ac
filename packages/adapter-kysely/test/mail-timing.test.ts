import { createKyselyFromUrl, kyselyStorage, migrate } from '@portcullis/adapter-kysely';
import { type Auth, createAuth, silentLogger } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { randomTablePrefix } from './support/test-databases.js';

/**
 * Opt-in measurement (never part of the normal run; DESIGN §7: no timed unit tests): how much
 * longer `POST /password/forgot` and `POST /magic-link` take for an address that has an account
 * than for one that has none, on PostgreSQL. Run it on a quiet machine:
 *
 *   PORTCULLIS_MAIL_TIMING=1 PORTCULLIS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
 *     npx vitest run packages/adapter-kysely/test/mail-timing.test.ts
 *
 * `PORTCULLIS_MAIL_TIMING_SAMPLES` (default 200) requests per path and kind, after 30 warm-up
 * requests each, known and unknown interleaved in a random order, each sample started once the
 * previous one's accepted work is done. Prints the medians, the p90s and their gaps;
 * docs/benchmarks.md ("Mail routes") keeps the figures.
 */
const url = process.env.PORTCULLIS_TEST_POSTGRES_URL;
const enabled = process.env.PORTCULLIS_MAIL_TIMING === '1' && url !== undefined;
const SAMPLES = Number(process.env.PORTCULLIS_MAIL_TIMING_SAMPLES ?? 200);
const WARM_UP = 30;
const ORIGIN = 'http://localhost:3000';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function timed(auth: Auth, path: string, email: string): Promise<number> {
  const request = new Request(`${ORIGIN}/auth${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const started = process.hrtime.bigint();
  const response = await auth.handler(request, { clientIp: '127.0.0.1' });
  await response.text();
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  expect(response.status).toBe(202);
  return elapsedMs;
}

describe.skipIf(!enabled)('mail routes: the same time for known and unknown addresses (PostgreSQL)', () => {
  it('reports the median and p90 gap of POST /password/forgot and POST /magic-link', async () => {
    const { db, close } = await createKyselyFromUrl(url!);
    const tablePrefix = randomTablePrefix();
    await migrate(db, { direction: 'up', tablePrefix });
    const auth = createAuth({
      storage: kyselyStorage(db, { tablePrefix }),
      secret: 'timing-secret-0123456789-abcdefghijklmnop',
      baseURL: ORIGIN,
      logger: silentLogger,
      outbox: { autoStart: false },
      mailer: { send: async () => {} },
      // the per-address mail limit runs as in production, only high enough for every sample
      rateLimit: { rules: { emailLink: { limit: 1_000_000, windowSeconds: 600 } } },
    });
    try {
      const known = `timing-${Date.now()}@example.com`;
      await auth.api.createUser({ email: known, password: 'a long enough timing password' });
      const report: string[] = [];
      for (const path of ['/password/forgot', '/magic-link']) {
        const times = { known: [] as number[], unknown: [] as number[] };
        let n = 0;
        const unknownEmail = () => `nobody-${Date.now()}-${n++}@example.com`;
        for (let i = 0; i < WARM_UP; i++) {
          await timed(auth, path, known);
          await timed(auth, path, unknownEmail());
          await auth.outbox.dispatchOnce();
        }
        for (let i = 0; i < SAMPLES; i++) {
          const order =
            Math.random() < 0.5 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
          for (const kind of order) {
            times[kind].push(await timed(auth, path, kind === 'known' ? known : unknownEmail()));
            // each sample starts from a quiet server: the accepted request is carried out first
            await auth.outbox.dispatchOnce();
          }
        }
        const k = times.known.sort((a, b) => a - b);
        const u = times.unknown.sort((a, b) => a - b);
        const line = [
          `${path}: n=${SAMPLES} each`,
          `known median ${percentile(k, 0.5).toFixed(2)} ms p90 ${percentile(k, 0.9).toFixed(2)} ms`,
          `unknown median ${percentile(u, 0.5).toFixed(2)} ms p90 ${percentile(u, 0.9).toFixed(2)} ms`,
          `gap median ${(percentile(k, 0.5) - percentile(u, 0.5)).toFixed(2)} ms p90 ${(percentile(k, 0.9) - percentile(u, 0.9)).toFixed(2)} ms`,
        ].join('; ');
        report.push(line);
      }
      console.log(`mail timing (PostgreSQL)\n${report.join('\n')}`);
    } finally {
      await auth.close();
      await migrate(db, { direction: 'down', tablePrefix, steps: Number.POSITIVE_INFINITY });
      await close();
    }
  }, 600_000);
});
