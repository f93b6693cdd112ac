'use server';

import { isAuthError, TITLE_BY_CODE } from '@portcullis/core';
import { revalidatePath } from 'next/cache';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getAuth, requireSession, signIn, signOut, signUp, verifyMfa } from '@/lib/auth';
import { clearPendingLogin, readPendingLogin, savePendingLogin } from '@/lib/pending-login';

// Server actions: Next.js checks that they are posted from this origin, and the helpers of
// @portcullis/nextjs set or clear the session cookie on the action's response.

/** What a form shows after a failed action. */
export interface FormState {
  error?: string;
}

export async function signUpAction(_state: FormState, form: FormData): Promise<FormState> {
  try {
    const name = text(form, 'name');
    const result = await signUp({
      email: text(form, 'email'),
      password: text(form, 'password'),
      ...(name ? { name } : {}),
    });
    if ('pending' in result) return { error: 'Check your inbox to finish signing up.' };
  } catch (error) {
    return failure(error);
  }
  redirect('/dashboard');
}

export async function logInAction(_state: FormState, form: FormData): Promise<FormState> {
  const returnTo = localPath(text(form, 'returnTo')) ?? '/dashboard';
  let next = returnTo;
  try {
    const result = await signIn({ email: text(form, 'email'), password: text(form, 'password') });
    // the password was right and the account has a second factor: no session yet
    if ('mfaRequired' in result) {
      await savePendingLogin({ challengeId: result.challengeId, methods: result.methods, returnTo });
      next = '/login/mfa';
    }
  } catch (error) {
    return failure(error);
  }
  redirect(next);
}

/** The second step of a login: a TOTP code or a recovery code for the pending challenge. */
export async function verifyMfaAction(_state: FormState, form: FormData): Promise<FormState> {
  const pending = await readPendingLogin();
  if (!pending) return { error: 'Your sign-in has expired: log in again.' };
  const method = text(form, 'method') === 'recovery_code' ? 'recovery_code' : 'totp';
  try {
    await verifyMfa({ challengeId: pending.challengeId, method, code: text(form, 'code') });
  } catch (error) {
    // expired (5 minutes) or completed elsewhere: only a new login opens another
    if (isAuthError(error, 'mfa_challenge_invalid')) await clearPendingLogin();
    return failure(error);
  }
  await clearPendingLogin();
  redirect(pending.returnTo);
}

/** What the TOTP forms of /dashboard/security show after their action. */
export interface TotpState extends FormState {
  /** A started enrolment: shown until confirmed. */
  setup?: { secret: string; otpauthUri: string };
  /** New recovery codes, shown this once. */
  recoveryCodes?: string[];
}

/** Enrolling an authenticator needs a recent authentication too: the form asks for the password. */
export async function setUpTotpAction(_state: TotpState, form: FormData): Promise<TotpState> {
  try {
    const { auth, session, context } = await reauthenticated(form);
    return { setup: await auth.api.setupTotp(session, context) };
  } catch (error) {
    return failure(error);
  }
}

export async function confirmTotpAction(state: TotpState, form: FormData): Promise<TotpState> {
  const { session } = await requireSession();
  const auth = await getAuth();
  try {
    const { recoveryCodes } = await auth.api.confirmTotp(
      session,
      { code: text(form, 'code') },
      auth.callContext(await headers()),
    );
    revalidatePath('/dashboard/security');
    return { recoveryCodes };
  } catch (error) {
    return { ...state, ...failure(error) };
  }
}

/**
 * Replacing the recovery codes and turning TOTP off need a recent authentication: the form asks
 * for the password, proven first (`auth.api.reauthenticate`, counted like a login).
 */
export async function regenerateRecoveryCodesAction(_state: TotpState, form: FormData): Promise<TotpState> {
  try {
    const { auth, session, context } = await reauthenticated(form);
    const { recoveryCodes } = await auth.api.regenerateRecoveryCodes(session, context);
    revalidatePath('/dashboard/security');
    return { recoveryCodes };
  } catch (error) {
    return failure(error);
  }
}

export async function disableTotpAction(_state: TotpState, form: FormData): Promise<TotpState> {
  try {
    const { auth, session, context } = await reauthenticated(form);
    await auth.api.disableTotp(session, context);
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/dashboard/security');
  return {};
}

async function reauthenticated(form: FormData) {
  const { user } = await requireSession();
  const auth = await getAuth();
  const token = (await cookies()).get(auth.sessionCookieName)?.value ?? '';
  const context = { ...auth.callContext(await headers()), actor: { type: 'user' as const, id: user.id } };
  const { session } = await auth.api.reauthenticate(token, { password: text(form, 'password') }, context);
  return { auth, session, context };
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect('/login');
}

export async function revokeSessionAction(form: FormData): Promise<void> {
  const { user } = await requireSession();
  const auth = await getAuth();
  await auth.api.revokeSession(user.id, text(form, 'sessionId'), { actor: { type: 'user', id: user.id } });
  revalidatePath('/dashboard');
}

export async function revokeOtherSessionsAction(): Promise<void> {
  const { user, session } = await requireSession();
  const auth = await getAuth();
  await auth.api.revokeOtherSessions(user.id, session.id, { actor: { type: 'user', id: user.id } });
  revalidatePath('/dashboard');
}

export async function createTenantAction(_state: FormState, form: FormData): Promise<FormState> {
  const { user } = await requireSession();
  const auth = await getAuth();
  try {
    await auth.api.createTenant(
      user.id,
      { slug: text(form, 'slug'), name: text(form, 'name') },
      { actor: { type: 'user', id: user.id } },
    );
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/dashboard');
  return {};
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** Portcullis's errors are safe to show; anything else goes to the error page. */
function failure(error: unknown): FormState {
  if (!isAuthError(error)) throw error;
  const issues = error.issues?.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return { error: issues || error.detail || TITLE_BY_CODE[error.code] };
}

/** Only paths of this site: `//evil.example` and `/\evil.example` are other sites to a browser. */
function localPath(value: string): string | null {
  return /^\/(?![/\\])/.test(value) ? value : null;
}
