import { performance } from 'node:perf_hooks';
import { createAuth, silentLogger } from '@portcullis/core';
import type { Condition } from '@portcullis/core/authorization';
import type { KeyValue, Storage } from '@portcullis/core/ports';
import { expect } from 'vitest';

// A measurement, not a timed assertion (DESIGN §7): how long one tenant's recompilation holds up
// the decisions of another, over whichever storage the caller passes (the memory store copies
// every row it returns in one synchronous step; a database driver parses rows as they arrive, so
// the figure that matters for an install is the database's). Tenant "heavy" holds as much policy
// text as the caller asks for (written to storage directly, as an old install or a bypassing
// import would have it); every one of its decisions recompiles (its version moves each time).
// Meanwhile a light tenant's member asks, again and again, on the hot path (cached, no I/O):
// any wait between two of its answers is the event loop held up by the heavy tenant's rebuild.

/** What a run saw; `waitMs` are the wall-clock gaps between two of the light tenant's answers. */
export interface CompileFairness {
  policies: number;
  kib: number;
  recompilations: number;
  decisions: number;
  waitMs: { p50: number; p99: number; max: number };
}

/** A condition of `leaves + 1` nodes; `literal` characters in each leaf's literals. */
function bulkyCondition(seed: number, leaves: number, literal: number): Condition {
  const names = Array.from({ length: 4 }, (_, i) => `team-${seed}-${i}-${'x'.repeat(literal / 4)}`);
  return {
    or: Array.from({ length: leaves }, (_, i) =>
      i % 2 === 0
        ? { in: [{ ref: 'subject.attributes.team' }, names] }
        : { startsWith: [{ ref: 'resource.path' }, `/${seed}/${i}/${'y'.repeat(literal)}`] },
    ),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/**
 * Stores `count` policies for a heavy tenant, then for `durationMs` invalidates and recompiles it
 * before every one of its decisions while a light tenant's member keeps asking. Prints and
 * returns what it saw; asserts only that both tenants kept being answered.
 */
export async function measureCompileFairness(
  { storage, keyValue }: { storage: Storage; keyValue: KeyValue },
  {
    count,
    leaves,
    literal,
    durationMs = 1500,
  }: { count: number; leaves: number; literal: number; durationMs?: number },
): Promise<CompileFairness> {
  const auth = createAuth({
    storage,
    keyValue,
    secret: 'fairness-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger: silentLogger,
    outbox: { autoStart: false },
    mailer: { send: async () => {} },
    authorization: { revalidateAfterMs: 60_000 },
  });
  try {
    const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const user = await auth.api.createUser({
      email: `fairness-${stamp}@example.com`,
      password: 'a long enough password',
    });
    const heavy = await auth.api.createTenant(user.id, { slug: `heavy-${stamp}`, name: 'Heavy' });
    const light = await auth.api.createTenant(user.id, { slug: `light-${stamp}`, name: 'Light' });
    const now = new Date();
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const policy = {
        id: `bulk-${stamp}-${i}`,
        tenantId: heavy.id,
        effect: 'allow' as const,
        actions: ['document.read'],
        resource: 'document',
        condition: bulkyCondition(i, leaves, literal),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      bytes += JSON.stringify(policy).length;
      await storage.policies.create(policy);
    }

    let decisions = 0;
    let recompilations = 0;
    const waits: number[] = [];
    const until = performance.now() + durationMs;
    const lightLoop = async () => {
      let last = performance.now();
      while (performance.now() < until) {
        const decision = await auth.api.authorize({
          userId: user.id,
          tenantId: light.id,
          action: 'member.read',
        });
        expect(decision.allowed).toBe(true);
        decisions++;
        await new Promise((resolve) => setImmediate(resolve));
        const at = performance.now();
        waits.push(at - last);
        last = at;
      }
    };
    const heavyLoop = async () => {
      while (performance.now() < until) {
        // what another instance's policy write announces: this tenant's rules changed
        await storage.authorizationVersions.bumpPoliciesVersion(heavy.id);
        await keyValue.publish('portcullis:authorization:changed', JSON.stringify([{ tenantId: heavy.id }]));
        await auth.api.authorize({
          userId: user.id,
          tenantId: heavy.id,
          action: 'document.read',
          resource: { type: 'document', path: '/x' },
        });
        recompilations++;
        // the next request arrives as a new task, as over HTTP
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all([lightLoop(), heavyLoop()]);
    waits.sort((a, b) => a - b);
    const seen: CompileFairness = {
      policies: count,
      kib: Math.round(bytes / 1024),
      recompilations,
      decisions,
      waitMs: { p50: percentile(waits, 0.5), p99: percentile(waits, 0.99), max: waits.at(-1) ?? 0 },
    };
    console.log(
      `[measurement] heavy tenant: ${seen.policies} policies, ${seen.kib} KiB, ${recompilations} recompilations; ` +
        `light tenant: ${decisions} decisions, wait between two: p50 ${seen.waitMs.p50.toFixed(2)} ms, ` +
        `p99 ${seen.waitMs.p99.toFixed(1)} ms, longest ${seen.waitMs.max.toFixed(1)} ms`,
    );
    expect(decisions).toBeGreaterThan(0);
    expect(recompilations).toBeGreaterThan(0);
    return seen;
  } finally {
    await auth.close();
  }
}
