import { isAuthError, type SessionWithUser, type Tenant } from '@portcullis/core';
import { notFound } from 'next/navigation';
import { getAuth, requireSession } from './auth';
import { signInPath } from './org-paths';

// The server-side checks of protected pages. proxy.ts already sent visitors without a session
// cookie to /sign-in; these validate the session itself (a revoked cookie passes the proxy).

/** The signed-in user, or a redirect to /sign-in?next=<path>. */
export function requireUser(path: string): Promise<SessionWithUser> {
  return requireSession({ redirectTo: signInPath(path) });
}

/**
 * The signed-in user and the organization of the URL: a 404 page for a tenant the user is not
 * a member of (the same answer as a tenant that does not exist, as the API gives).
 */
export async function requireMembership(
  tenantId: string,
  path: string,
): Promise<SessionWithUser & { tenant: Tenant }> {
  const found = await requireUser(path);
  const auth = await getAuth();
  try {
    return { ...found, tenant: await auth.api.getTenant(tenantId, found.user.id) };
  } catch (error) {
    if (isAuthError(error, 'not_found') || isAuthError(error, 'forbidden')) notFound();
    throw error;
  }
}
