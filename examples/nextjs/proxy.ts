import { authProxy } from '@portcullis/nextjs/proxy';
import type { NextRequest } from 'next/server';
import { resourceProxy } from './lib/resource-server';

// Signed-out visitors (no session cookie at all) go to /sign-in?next=<the page> before any page
// renders. A cookie that is present but revoked passes here: the pages' requireUser() decides.
const sessionProxy = authProxy({
  loginPath: '/sign-in',
  returnToParam: 'next',
  protectedPaths: ['/dashboard', '/orgs', '/account'],
});

// The resource API takes bearer access tokens, verified here before any route runs.
export async function proxy(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith('/api/resource/')) return resourceProxy(request);
  return sessionProxy(request);
}

export const config = {
  matcher: ['/dashboard/:path*', '/orgs/:path*', '/account/:path*', '/api/resource/:path*'],
};
