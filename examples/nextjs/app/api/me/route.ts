import { AuthError, problemBody } from '@portcullis/core';
import { getSession } from '@/lib/auth';

/** An app route of its own, authenticated with getSession() like pages and actions. */
export async function GET() {
  const found = await getSession();
  if (!found) {
    const body = problemBody(new AuthError('unauthenticated'), crypto.randomUUID());
    return Response.json(body, {
      status: body.status,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    });
  }
  const { user, session } = found;
  return Response.json(
    {
      user: { id: user.id, email: user.email, name: user.name },
      session: { id: session.id, createdAt: session.createdAt, expiresAt: session.expiresAt },
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}
