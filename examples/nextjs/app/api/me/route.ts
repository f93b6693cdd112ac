import { AuthError } from '@portcullis/core';
import { apiRoute } from '@/lib/api-route';
import { getSession } from '@/lib/auth';

/** An app route of its own, authenticated with getSession() like pages and actions. */
export const GET = apiRoute(async () => {
  const found = await getSession();
  if (!found) throw new AuthError('unauthenticated');
  const { user, session } = found;
  return Response.json(
    {
      user: { id: user.id, email: user.email, name: user.name },
      session: { id: session.id, createdAt: session.createdAt, expiresAt: session.expiresAt },
    },
    { headers: { 'cache-control': 'no-store' } },
  );
});
