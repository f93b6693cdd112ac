import { AuthError, uuidv7 } from '@portcullis/core';
import { requireAuth, requirePermission } from '@portcullis/express';
import express from 'express';
import { askerOf } from './asker-of.js';
import { parseDocumentPatch, parseNewDocument } from './document-input.js';

/**
 * The documents of a tenant, mounted at `/api/tenants/:tenantId/documents`:
 *
 * - `GET /` the documents the user may read, newest first, each with `canUpdate`/`canDelete`;
 *   the authorization filter is part of the SQL query, so the database does the filtering
 * - `POST /` `{ title, body?, visibility? }` → 201, written by the signed-in user
 * - `PATCH /:documentId` `{ title?, body?, visibility? }` → 200
 * - `DELETE /:documentId` → 204
 *
 * Rules are in access-rules.js. Errors are problem+json: 401 signed out, 404 not a member or no
 * such document (or one the user may not read), 403 denied with the reason, 400 bad input.
 *
 * @param {import('@portcullis/core').Auth} auth
 * @param {ReturnType<typeof import('./document-store.js').documentStore>} documents
 */
export function documentRoutes(auth, documents) {
  const router = express.Router({ mergeParams: true });
  router.use(requireAuth(auth), express.json({ limit: '64kb' }));

  /** Which documents the user may read, as a filter the store adds to its `where`. */
  const readFilter = (req) =>
    auth.api.authorizationFilter({
      ...askerOf(auth, req),
      action: 'document.read',
      resourceType: 'document',
    });

  /**
   * The document of the URL as policies see it, or null. Looked up through the read filter, so a
   * document the user may not read is "not found" to them, whatever they try to do with it.
   */
  const loadDocument = async (req) => {
    const found = await documents.findReadable(
      req.params.tenantId,
      req.params.documentId,
      await readFilter(req),
    );
    return found && asResource(found);
  };

  /** As loadDocument, for a guard: a missing (or unreadable) document is a 404. */
  const existingDocument = async (req) => {
    const resource = await loadDocument(req);
    if (!resource) throw new AuthError('not_found');
    return resource;
  };

  /** What the user may still do with each document, for the page's buttons. */
  /** What the user may still do with each document, for the page's buttons: batch decisions. */
  const withAbilities = async (req, list) => {
    const asker = askerOf(auth, req);
    const resources = list.map(asResource);
    // in-memory decisions once the tenant's rules and the membership are cached
    const [update, remove] = await Promise.all([
      auth.api.authorizeMany({ ...asker, action: 'document.update', resources }),
      auth.api.authorizeMany({ ...asker, action: 'document.delete', resources }),
    ]);
    return list.map((document, i) => ({
      ...document,
      canUpdate: update[i].allowed,
      canDelete: remove[i].allowed,
    }));
  };

  router.get('/', async (req, res) => {
    const { userId, tenantId } = askerOf(auth, req);
    // 404 for non-members: their filter is `none`, which alone would look like an empty tenant
    await auth.api.getTenant(tenantId, userId);
    const filter = await readFilter(req);
    const found = await documents.listReadable(tenantId, filter);
    res.json({
      items: await withAbilities(req, found),
      // shown on the page to make the rule visible; an app would not send it
      filter,
    });
  });

  router.post(
    '/',
    validBody(parseNewDocument),
    requirePermission(auth, 'document.create', {
      resource: (req) => ({ type: 'document', ownerId: req.auth.user.id, visibility: req.body.visibility }),
    }),
    async (req, res) => {
      const now = new Date().toISOString();
      const document = {
        id: uuidv7(),
        tenantId: req.params.tenantId,
        ownerId: req.auth.user.id,
        ...req.body,
        createdAt: now,
        updatedAt: now,
      };
      await documents.create(document);
      res.status(201).json((await withAbilities(req, [document]))[0]);
    },
  );

  router.patch(
    '/:documentId',
    validBody(parseDocumentPatch),
    requirePermission(auth, 'document.update', { resource: existingDocument }),
    async (req, res) => {
      const updated = await documents.update(req.params.tenantId, req.params.documentId, {
        ...req.body,
        updatedAt: new Date().toISOString(),
      });
      if (!updated) throw new AuthError('not_found'); // deleted meanwhile
      res.json((await withAbilities(req, [updated]))[0]);
    },
  );

  router.delete(
    '/:documentId',
    requirePermission(auth, 'document.delete', { resource: existingDocument }),
    async (req, res) => {
      if (!(await documents.remove(req.params.tenantId, req.params.documentId))) {
        throw new AuthError('not_found'); // deleted meanwhile
      }
      res.status(204).end();
    },
  );

  return router;
}

/**
 * A document as the authorization engine sees it: `resource.ownerId`, `resource.visibility`.
 *
 * @param {import('./document-store.js').Document} document
 */
function asResource(document) {
  return { type: 'document', id: document.id, ownerId: document.ownerId, visibility: document.visibility };
}

/**
 * Middleware replacing `req.body` with `parse(req.body)`; a bad body is a 400 problem before any
 * authorization work.
 *
 * @param {(body: unknown) => object} parse
 * @returns {import('express').RequestHandler}
 */
function validBody(parse) {
  return (req, _res, next) => {
    req.body = parse(req.body);
    next();
  };
}
