import { authProxy } from '@portcullis/nextjs/proxy';

// Signed-out visitors (no session cookie at all) go to /login before any page renders. A
// cookie that is present but revoked passes here: requireSession() in the page decides.
export const proxy = authProxy({ loginPath: '/login' });

export const config = { matcher: ['/dashboard/:path*'] };
