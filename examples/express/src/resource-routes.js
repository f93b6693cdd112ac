import express from 'express';
import { requireClientToken } from './require-client-token.js';

/**
 * The app's machine API, under `/api/resource`: what an M2M client (a partner's integration, a
 * reporting job) calls with a client credentials token. One route:
 *
 * - `GET /api/resource/reports` (`report.read`, which the `reports:read` scope grants): the
 *   tenant of the token, its documents counted by visibility, and who asked.
 *
 * @param {import('@portcullis/core').Auth} auth
 * @param {ReturnType<typeof import('./document-store.js').documentStore>} documents
 */
export function resourceRoutes(auth, documents) {
  const router = express.Router();
  router.get(
    '/reports',
    requireClientToken(auth, { action: 'report.read', scope: 'reports:read' }),
    async (req, res) => {
      const client = req.client;
      res.json({
        tenantId: client.tenantId,
        documents: await documents.countByVisibility(client.tenantId),
        generatedAt: new Date().toISOString(),
        caller: {
          clientId: client.clientId,
          environment: client.environment,
          scopes: client.scopes,
        },
      });
    },
  );
  return router;
}
