import {
  type ClientErrorCode,
  isPortcullisClientError,
  type PortcullisClient,
  PortcullisClientError,
} from '@portcullis/client';
import { useSyncExternalStore } from 'react';

// The one place the components meet the client's WebAuthn helper (`withWebAuthn(client)` from
// `@portcullis/client/webauthn`, which adds the ceremonies to the client object). They are read
// off the client when called, so a client without them still works for everything else, and a
// renamed method is one edit here.

type Ceremony = (...args: never[]) => Promise<unknown>;

/** What a finished passkey sign-in answers: signed in, or a second factor still due. */
export type PasskeySignInResult =
  | { mfaRequired: true; challengeId: string; methods: Array<'totp' | 'recovery_code' | 'passkey'> }
  | Record<string, unknown>;

/**
 * The first of `paths` the client has, bound to its object; a clear error when it has none (the
 * client was not given the WebAuthn helper).
 */
function ceremony(client: PortcullisClient, ...paths: ReadonlyArray<readonly string[]>): Ceremony {
  for (const path of paths) {
    let owner: unknown = client;
    for (const part of path.slice(0, -1)) owner = (owner as Record<string, unknown> | undefined)?.[part];
    const method = (owner as Record<string, unknown> | undefined)?.[path[path.length - 1]!];
    if (typeof method === 'function') return method.bind(owner) as Ceremony;
  }
  // the client's WebAuthn entry answers an unsupported browser with this code too
  throw new PortcullisClientError('webauthn_unsupported' as ClientErrorCode, {
    status: 0,
    detail: `passkeys are not set up in this app (client.${paths[0]!.join('.')} is missing: wrap the client with withWebAuthn() from @portcullis/client/webauthn)`,
  });
}

/** Registers a passkey for the signed-in user (creation options, the browser's ceremony, verification). */
export async function registerPasskey(
  client: PortcullisClient,
  options: { name?: string } = {},
): Promise<{ id?: string; name?: string; recoveryCodes?: string[] }> {
  const register = ceremony(client, ['passkeys', 'register']) as (options: {
    name?: string;
  }) => Promise<{ id?: string; name?: string; recoveryCodes?: string[] }>;
  return register(options);
}

/** Signs in with a discoverable passkey; may answer `mfaRequired` like a password sign-in. */
export async function signInWithPasskey(client: PortcullisClient): Promise<PasskeySignInResult> {
  const signIn = ceremony(client, ['passkeys', 'signIn']) as (
    options: object,
  ) => Promise<PasskeySignInResult>;
  return signIn({});
}

/** Completes a login that answered `{ mfaRequired, challengeId }` with one of the user's passkeys. */
export async function completeSignInWithPasskey(
  client: PortcullisClient,
  challengeId: string,
): Promise<PasskeySignInResult> {
  // `completeWithPasskey` is what the client's WebAuthn entry calls it; `verifyWithPasskey` the
  // name first planned
  const complete = ceremony(client, ['mfa', 'completeWithPasskey'], ['mfa', 'verifyWithPasskey']) as (
    challengeId: string,
  ) => Promise<PasskeySignInResult>;
  return complete(challengeId);
}

/** Step-up with a passkey: the current session records a fresh authentication. */
export async function reauthenticateWithPasskey(client: PortcullisClient): Promise<unknown> {
  const reauthenticate = ceremony(client, ['passkeys', 'reauthenticate']) as () => Promise<unknown>;
  return reauthenticate();
}

/** Whether the client can step up with a passkey (its WebAuthn helper offers it). */
export function canReauthenticateWithPasskey(client: PortcullisClient): boolean {
  return typeof (client.passkeys as unknown as Record<string, unknown>).reauthenticate === 'function';
}

/**
 * Whether the person dismissed the browser's passkey prompt (or it timed out): not an error worth
 * showing, they know what they did.
 */
export function isCeremonyCancelled(error: unknown): boolean {
  if (isPortcullisClientError(error)) return (error.code as string) === 'webauthn_cancelled';
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NotAllowedError' || name === 'AbortError';
}

const noSubscription = () => () => {};
const browserSupportsPasskeys = () => typeof window !== 'undefined' && Boolean(window.PublicKeyCredential);
const serverSupportsPasskeys = () => false;

/**
 * Whether this browser can do WebAuthn: false on the server and in the hydrating render (so the
 * server's HTML and the first client render agree), then the browser's answer.
 */
export function usePasskeySupport(): boolean {
  return useSyncExternalStore(noSubscription, browserSupportsPasskeys, serverSupportsPasskeys);
}
