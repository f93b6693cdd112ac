import type { OperationId } from './generated/routes.js';
import type { SessionData } from './session-store.js';
import type { WritableSessionStore } from './session-store-impl.js';
import type { Transport } from './transport.js';

/**
 * What a successful call means for the session store, in one table: a sign-in that answered the
 * session sets it, a sign-out clears it, a call that changes the user or the session's
 * authentication (a verified email, a fresh step-up, a new second factor) re-reads it.
 */
const SIGN_INS = new Set<OperationId>([
  'signIn',
  'signUp',
  'verifyMfa',
  'authenticateWithPasskey',
  'verifyMagicLink',
]);
const SIGN_OUTS = new Set<OperationId>(['signOut']);
const SESSION_CHANGES = new Set<OperationId>([
  'changePassword',
  'reauthenticate',
  'verifyEmail',
  'confirmTotp',
  'disableTotp',
  'registerPasskey',
  'deletePasskey',
  'revokeSession',
  'revokeOtherSessions',
  'acceptInvitation',
  'createTenant',
  'removeMember',
  'unlinkOAuthAccount',
]);

export async function applySessionEffect(
  operationId: OperationId,
  body: unknown,
  { session, transport }: { session: WritableSessionStore; transport: Transport },
): Promise<void> {
  if (SIGN_OUTS.has(operationId)) {
    await transport.clear?.();
    session.set(null);
    return;
  }
  if (SIGN_INS.has(operationId)) {
    if (isSessionData(body)) session.set(body);
    // a token pair (token mode) or a passkey step-up's `{ session }`: the session is read again.
    // `{ mfaRequired }` or a sign-up that waits for a verified email: no session yet
    else if (isObject(body) && ('access_token' in body || 'session' in body)) await reread(session);
    return;
  }
  if (SESSION_CHANGES.has(operationId)) await reread(session);
}

async function reread(session: WritableSessionStore): Promise<void> {
  session.invalidate();
  await session.refresh({ force: true });
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null;
}

function isSessionData(body: unknown): body is SessionData {
  return isObject(body) && 'user' in body && 'session' in body;
}
