import { AuthError, problemResponse } from '@portcullis/core';

// Any /api path no other route takes: a 404 problem+json, as Portcullis answers under /api/auth,
// instead of Next.js's HTML "not found" page. More specific routes (/api/me, /api/auth/…) win.
async function notFound(): Promise<Response> {
  return problemResponse(new AuthError('not_found', { detail: 'no such route' }));
}

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
