import { getSession, library } from '../../../lib/bench-auth';

export const dynamic = 'force-dynamic';

/**
 * hello world (any library but Portcullis; the runner starts none): `Response.json({ ok: true })` after nothing. Portcullis: the session helpers'
 * `getSession(request)` from `@portcullis/nextjs` (the session cookie read from the route
 * handler's request), then the user's id, or 401 without a session.
 */
export async function GET(request: Request): Promise<Response> {
  if (library !== 'portcullis') return Response.json({ ok: true });
  const found = await getSession(request);
  if (!found) return Response.json({ code: 'unauthenticated' }, { status: 401 });
  return Response.json({ id: found.user.id });
}
