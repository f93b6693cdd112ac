import { z } from 'zod';
import { defineRoute } from '../route.js';

const subscriptionState = z.enum(['subscribed', 'retrying', 'off']);

// only states, never a host, a URL or an error text: the probe is public
const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({
      database: z.enum(['up', 'unavailable', 'not_migrated']),
      keyValue: z.enum(['up', 'unavailable', 'local']).describe('`local` when no shared store is configured'),
      subscriptions: z.object({
        sessions: subscriptionState,
        authorization: subscriptionState,
        apiKeys: subscriptionState,
        rateLimitOverrides: subscriptionState,
      }),
      signingKey: z.enum(['active', 'unavailable']),
      outbox: z.object({
        state: z.enum(['ok', 'lagging', 'unavailable']),
        lagSeconds: z.number().int().nullable().describe('Age of the oldest event not yet delivered'),
      }),
    }),
  })
  .meta({ description: 'Each component checked, by state only' });

/**
 * Probes for a load balancer or an orchestrator. Liveness answers without any I/O (a process
 * that answers is alive; restarting it for a database outage would not help); readiness checks
 * what serving needs, through `auth.health()`, and says which check failed.
 */
export const healthRoutes = [
  defineRoute({
    method: 'GET',
    path: '/health',
    operationId: 'getLiveness',
    summary: 'Liveness: the process answers (no I/O)',
    tag: 'health',
    auth: 'none',
    responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
    async handle() {
      return { status: 200, body: { status: 'ok' } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/health/ready',
    operationId: 'getReadiness',
    summary:
      'Readiness: the database, the shared store (Redis) when configured, an active signing key, the outbox lag',
    tag: 'health',
    auth: 'none',
    responses: {
      200: { description: 'Ready to serve', schema: readinessSchema },
      503: { description: 'Not ready: the failing check is named', schema: readinessSchema },
    },
    async handle({ health }) {
      const { ok, storage, ...checks } = await health();
      return {
        status: ok ? 200 : 503,
        body: { status: ok ? 'ready' : 'not_ready', checks: { database: storage, ...checks } },
      };
    },
  }),
];
