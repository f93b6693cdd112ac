import {
  type CallContext,
  type MfaRequired,
  type SerializedSession,
  type SessionWithUser,
  type SignInInput,
  type SignUpInput,
  type SignUpPending,
  serializeSession,
  type VerifyMfaInput,
} from '@portcullis/core';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { type AuthSource, resolveAuth } from './auth-source.js';
import { createRouteGuards, type RouteGuards } from './route-guards.js';
import { sessionCookieAttributes } from './session-cookie.js';

export interface RequireSessionOptions {
  /** Where signed-out visitors are sent. Default `/login`. */
  redirectTo?: string;
}

/** What {@link createSessionHelpers} returns; `requirePermission` and `requireStepUp` guard route handlers. */
export interface SessionHelpers extends RouteGuards {
  /**
   * The signed-in user and session of the current request, or null: its session cookie, or,
   * without one, its `Authorization: Bearer <access token>` (token mode). Works in server
   * components, server actions and route handlers; in a server component render the lookup runs
   * once per request and session token, however many components ask.
   */
  getSession(): Promise<SessionWithUser | null>;
  /**
   * In a route handler, pass its `request`: the session cookie is then read straight from the
   * request's headers, without `next/headers` (cheaper on every request).
   *
   * @example
   * export async function GET(request: Request) {
   *   const found = await getSession(request)
   *   if (!found) return Response.json({ code: 'unauthenticated' }, { status: 401 })
   *   return Response.json({ id: found.user.id })
   * }
   */
  getSession(request: Request): Promise<SessionWithUser | null>;
  /**
   * The session of the current request as the browser client would fetch it: exactly the JSON
   * body `GET /session` answers for the same cookie (or bearer token), serialized by the same
   * function (`serializeSession` of `@portcullis/core`), or null when signed out. Plain data, dates
   * as ISO strings: a server component passes it to the client components as they are, and the
   * client's first snapshot equals what the server rendered with, without a request.
   *
   * @example
   * // app/layout.tsx (a server component)
   * export default async function Layout({ children }: { children: React.ReactNode }) {
   *   const initialSession = await getInitialSession()
   *   return <PortcullisProvider client={client} initialSession={initialSession}>{children}</PortcullisProvider>
   * }
   */
  getInitialSession(): Promise<SerializedSession | null>;
  /** In a route handler, pass its `request` (as for {@link SessionHelpers.getSession}). */
  getInitialSession(request: Request): Promise<SerializedSession | null>;
  /** {@link SessionHelpers.getSession}, redirecting (`redirect()` of next/navigation) when signed out. */
  requireSession(options?: RequireSessionOptions): Promise<SessionWithUser>;
  /**
   * `auth.api.signIn`, then sets the session cookie on the response, as `POST /login` does. Only
   * where Next.js lets code set cookies: server actions and route handlers. The session token
   * is not returned: a result an action hands back to the browser carries no credential. For a
   * user with a second factor it answers `MfaRequired` and sets no cookie.
   */
  signIn(input: SignInInput): Promise<SessionWithUser | MfaRequired>;
  /**
   * `auth.api.verifyMfa` (the second step of a sign-in that answered `MfaRequired`), then sets
   * the session cookie, as `POST /mfa/verify` does. Server actions and route handlers only.
   *
   * @example
   * await verifyMfa({ challengeId, method: 'totp', code: String(form.get('code')) })
   */
  verifyMfa(input: VerifyMfaInput): Promise<SessionWithUser>;
  /** `auth.api.signUp`, then sets the session cookie (not in `notify` mode, which answers `{ pending }`). */
  signUp(input: SignUpInput): Promise<SessionWithUser | SignUpPending>;
  /** Revokes the current session, if any, and clears its cookie. Server actions and route handlers only. */
  signOut(): Promise<void>;
}

/**
 * Server-side helpers reading and writing the session cookie through `next/headers`.
 *
 * Call it once at module scope (the per-request deduplication relies on it). Server actions are
 * protected from cross-site posts by Next.js itself (it compares Origin with Host), so these
 * helpers do not repeat core's CSRF check.
 *
 * @example
 * // lib/auth.ts
 * export const auth = createAuth({ storage, secret, baseURL, basePath: '/api/auth' })
 * export const { getSession, getInitialSession, requireSession, signIn, signUp, signOut, requirePermission, requireStepUp } =
 *   createSessionHelpers(auth)
 *
 * // app/dashboard/page.tsx (a server component)
 * export default async function Dashboard() {
 *   const { user } = await requireSession({ redirectTo: '/login' })
 *   return <p>Signed in as {user.email}</p>
 * }
 *
 * // app/actions.ts
 * 'use server'
 * export async function login(form: FormData) {
 *   await signIn({ email: String(form.get('email')), password: String(form.get('password')) })
 *   redirect('/dashboard')
 * }
 */
export function createSessionHelpers(source: AuthSource): SessionHelpers {
  // keyed by token, so a cookie set earlier in the same request is never answered from cache
  const validate = cache(async (token: string) =>
    (await resolveAuth(source)).api.validateSessionToken(token),
  );

  /** Client address (by core's `trustProxy` rule) and user agent of the action's request. */
  async function callContext(): Promise<CallContext> {
    return (await resolveAuth(source)).callContext(await headers());
  }

  async function setCookie(found: { token: string; session: { expiresAt: Date } } | null) {
    const auth = await resolveAuth(source);
    const attributes = sessionCookieAttributes(auth, found?.session.expiresAt ?? null);
    (await cookies()).set(auth.sessionCookieName, found?.token ?? '', attributes);
  }

  async function getSession(request?: Request) {
    if (request) return (await resolveAuth(source)).api.getSession(request);
    // cookies() first: during `next build` it marks the page dynamic and stops the prerender
    // before a lazily created instance would be started (and connect to a database) at build time
    const jar = await cookies();
    const auth = await resolveAuth(source);
    const token = jar.get(auth.sessionCookieName)?.value;
    if (token) return validate(token);
    // token mode: a bearer access token, when the request carries no session cookie
    const requestHeaders = await headers();
    return requestHeaders.has('authorization') ? auth.api.getSession(requestHeaders) : null;
  }

  return {
    ...createRouteGuards(source),
    getSession,

    async getInitialSession(request?: Request) {
      const found = await getSession(request);
      return found ? serializeSession(found) : null;
    },

    async requireSession(options = {}) {
      const found = await getSession();
      if (!found) redirect(options.redirectTo ?? '/login');
      return found;
    },

    async signIn(input) {
      const auth = await resolveAuth(source);
      const signedIn = await auth.api.signIn(input, await callContext());
      // a second factor is pending: no cookie until POST /mfa/verify (auth.api.verifyMfa)
      if ('mfaRequired' in signedIn) return signedIn;
      await setCookie(signedIn);
      return { user: signedIn.user, session: signedIn.session };
    },

    async verifyMfa(input) {
      const auth = await resolveAuth(source);
      const signedIn = await auth.api.verifyMfa(input, await callContext());
      await setCookie(signedIn);
      return { user: signedIn.user, session: signedIn.session };
    },

    async signUp(input) {
      const auth = await resolveAuth(source);
      const result = await auth.api.signUp(input, await callContext());
      if ('pending' in result) return result;
      await setCookie(result);
      return { user: result.user, session: result.session };
    },

    async signOut() {
      const auth = await resolveAuth(source);
      const token = (await cookies()).get(auth.sessionCookieName)?.value;
      // as POST /logout: the cookie is cleared only once the session is revoked
      if (token) await auth.api.signOut(token, await callContext());
      await setCookie(null);
    },
  };
}
