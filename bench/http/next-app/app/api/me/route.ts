import { getSession, library } from '../../../lib/bench-auth';

export const dynamic = 'force-dynamic';

/**
 * hello world (any library but Portcullis; the runner starts none): `Response.json({ ok: true })` after nothing. Portcullis: the session helpers'
 * `getSession()` from `@portcullis/nextjs` (the session cookie through `next/headers`), then the
 * user's id, or 401 without a session.
 */
export async function GET(): Promise<Response> {
  if (library !== 'portcullis') return Response.json({ ok: true });
  const found = await getSession();
  if (!found) return Response.json({ code: 'unauthenticated' }, { status: 401 });
  return Response.json({ id: found.user.id });
}
