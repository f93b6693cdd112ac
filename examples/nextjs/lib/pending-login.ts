import type { MfaMethod } from '@portcullis/core';
import { cookies } from 'next/headers';

/**
 * A login waiting for its second factor, between the password step and /login/mfa: kept in an
 * HttpOnly cookie for the 5 minutes the challenge lives, so the challenge id is never in a URL
 * or in the page. It opens nothing by itself: POST /mfa/verify still needs a valid code.
 */
export interface PendingLogin {
  challengeId: string;
  methods: MfaMethod[];
  /** Where to go once signed in (a path of this site, checked when it was saved). */
  returnTo: string;
}

const COOKIE = 'example.pending-login';
const CHALLENGE_TTL_SECONDS = 300;

export async function savePendingLogin(pending: PendingLogin): Promise<void> {
  (await cookies()).set(COOKIE, JSON.stringify(pending), {
    httpOnly: true,
    sameSite: 'lax',
    secure: (process.env.BASE_URL ?? '').startsWith('https:'),
    path: '/login',
    maxAge: CHALLENGE_TTL_SECONDS,
  });
}

export async function readPendingLogin(): Promise<PendingLogin | null> {
  const value = (await cookies()).get(COOKIE)?.value;
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<PendingLogin>;
    if (typeof parsed.challengeId !== 'string' || typeof parsed.returnTo !== 'string') return null;
    // a cookie comes back as the browser holds it: only a path of this site is followed
    if (!/^\/(?![/\\])/.test(parsed.returnTo)) return null;
    return {
      challengeId: parsed.challengeId,
      methods: parsed.methods ?? ['totp'],
      returnTo: parsed.returnTo,
    };
  } catch {
    return null;
  }
}

export async function clearPendingLogin(): Promise<void> {
  (await cookies()).delete({ name: COOKIE, path: '/login' });
}
