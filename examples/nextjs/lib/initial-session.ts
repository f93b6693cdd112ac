import type { SessionData } from '@portcullis/client';
import { cookies } from 'next/headers';
import { getAuth } from './auth';

// TEMPORARY: `getInitialSession()` of @portcullis/nextjs is on its way to main; until then the
// same body is read from the handler itself (GET /session with this request's cookie), so the
// provider's first snapshot equals what the browser would fetch. Delete this file once
// `createSessionHelpers` returns getInitialSession.

/** The body `GET /api/auth/session` answers for this request's session cookie, or null. */
export async function getInitialSession(): Promise<SessionData | null> {
  // cookies() first: it marks the render dynamic before the instance is started (never at build)
  const jar = await cookies();
  const auth = await getAuth();
  const token = jar.get(auth.sessionCookieName)?.value;
  if (!token) return null;
  const response = await auth.handler(
    new Request('http://localhost/api/auth/session', {
      headers: { cookie: `${auth.sessionCookieName}=${token}` },
    }),
  );
  return response.ok ? ((await response.json()) as SessionData) : null;
}
