import { requireApiKey } from '@portcullis/express';
import express from 'express';

/**
 * Where each environment's versioned API is mounted (`app.js`): a `live` key calls `/api/v1`, a
 * `test` key the `/api/test/v1` mirror, and neither reaches the other's routes. The "API keys"
 * card builds its `curl` line from it.
 */
export const API_V1_MOUNTS = { live: '/api/v1', test: '/api/test/v1' };

/**
 * The app's versioned machine API for API keys, one router per environment: what a customer's
 * script, CI job or partner server calls with a key from the page's "API keys" card, in
 * `x-api-key` or `Authorization: Bearer`. One route:
 *
 * - `GET <mount>/reports` (`report.read`): the key's tenant, its documents counted by visibility,
 *   and which key asked.
 *
 * `requireApiKey()` refuses, each as problem+json with its own code: no key (401
 * `unauthenticated`), a key of the other environment (403 `api_key_wrong_environment`, decided
 * from the key's prefix before any lookup), a mistyped, unknown, revoked or expired key (401
 * `api_key_malformed`, `api_key_invalid`, `api_key_revoked`, `api_key_expired`), and a key whose
 * permissions, or whose owner's current roles, do not grant the route's (403 `forbidden`).
 *
 * @param {import('@portcullis/core').Auth} auth
 * @param {ReturnType<typeof import('./document-store.js').documentStore>} documents
 * @param {{ environment: keyof typeof API_V1_MOUNTS }} options The environment this copy serves.
 * @example
 * app.use('/api/v1', apiV1Routes(auth, documents, { environment: 'live' }))
 * app.use('/api/test/v1', apiV1Routes(auth, documents, { environment: 'test' }))
 */
export function apiV1Routes(auth, documents, { environment }) {
  const router = express.Router();
  router.get(
    '/reports',
    requireApiKey(auth, { environment, permission: 'report.read' }),
    async (req, res) => {
      const { apiKey, tenantId } = req.apiKey;
      res.json({
        tenantId,
        documents: await documents.countByVisibility(tenantId),
        generatedAt: new Date().toISOString(),
        caller: {
          apiKeyId: apiKey.id,
          name: apiKey.name,
          environment: apiKey.environment,
          permissions: apiKey.permissions,
        },
      });
    },
  );
  return router;
}
