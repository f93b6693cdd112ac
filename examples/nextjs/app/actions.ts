'use server';

import { isAuthError, TITLE_BY_CODE } from '@portcullis/core';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { getAuth, requireSession, signIn, signOut, signUp } from '@/lib/auth';

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
  try {
    await signIn({ email: text(form, 'email'), password: text(form, 'password') });
  } catch (error) {
    return failure(error);
  }
  redirect(localPath(text(form, 'returnTo')) ?? '/dashboard');
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
