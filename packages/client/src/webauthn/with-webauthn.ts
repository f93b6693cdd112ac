// the package itself, not a relative path: the CommonJS build of this entry must share the main
// entry's PortcullisClientError class (instanceof) instead of bundling a copy of it
import {
  type AuthenticateWithPasskeyBody,
  type AuthenticateWithPasskeyResponse,
  type PortcullisClient,
  PortcullisClientError,
  type RegisterPasskeyBody,
  type RegisterPasskeyResponse,
  type Session,
} from '@portcullis/client';
import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';

/** A passkey sign-in's answer: signed in (a session, or a token pair in token mode), or a second factor to give. */
export type PasskeySignInResult =
  | Extract<AuthenticateWithPasskeyResponse, { user: unknown }>
  | Extract<AuthenticateWithPasskeyResponse, { access_token: string }>
  | Extract<AuthenticateWithPasskeyResponse, { mfaRequired: true }>;

/** The passkey ceremonies {@link withWebAuthn} adds to a client. */
export interface WebAuthnMethods {
  passkeys: PortcullisClient['passkeys'] & {
    /**
     * Registers a passkey for the signed-in user: creation options, the browser's ceremony,
     * then verification. Needs an authentication at most 15 minutes old (`step_up_required`).
     */
    register(options?: { name?: string }): Promise<RegisterPasskeyResponse>;
    /**
     * Signs in with a discoverable passkey (usernameless: the server takes no email, the
     * authenticator offers the user's accounts). `conditional: true` waits for the user to pick a
     * passkey from the browser's autofill (an `<input autocomplete="username webauthn">` must be on
     * the page). Call it signed out: with a session, the server treats it as a step-up.
     */
    signIn(options?: { conditional?: boolean }): Promise<PasskeySignInResult>;
    /**
     * Step-up with a passkey: the current session records a fresh hardware-key authentication
     * (`authTime.hwk`), which `step_up_required` routes accept.
     */
    reauthenticate(): Promise<{ session: Session }>;
    /** Cancels the ceremony in progress (a conditional sign-in waiting on autofill, say). */
    cancel(): void;
  };
  mfa: PortcullisClient['mfa'] & {
    /**
     * Completes a login that answered `{ mfaRequired, challengeId, methods }` (with `passkey` among
     * the methods) with one of the user's passkeys.
     */
    completeWithPasskey(challengeId: string): Promise<PasskeySignInResult>;
  };
}

/**
 * Adds the passkey ceremonies to a client, using `@simplewebauthn/browser` (loaded only by this
 * entry, so an app without passkeys does not ship it). The methods are added to the client object
 * itself, so its session store (and a React provider given the client) stay the same.
 * A browser-side failure rejects with a `PortcullisClientError` too: `webauthn_cancelled` (the user
 * dismissed the prompt, it timed out, or the ceremony was cancelled), `webauthn_unsupported`, or
 * `webauthn_failed` (the browser's error as `cause`).
 *
 * @example
 * import { createPortcullisClient } from '@portcullis/client';
 * import { withWebAuthn } from '@portcullis/client/webauthn';
 *
 * const client = withWebAuthn(createPortcullisClient({ baseUrl: '/api/auth' }));
 * await client.passkeys.register({ name: 'MacBook Touch ID' });
 * const result = await client.passkeys.signIn();
 * if ('mfaRequired' in result) askForTotp(result.challengeId);
 */
export function withWebAuthn<Client extends PortcullisClient>(client: Client): Client & WebAuthnMethods {
  const { passkeys, mfa } = client as PortcullisClient;

  async function authenticate(
    challengeId: string | undefined,
    conditional: boolean,
  ): Promise<AuthenticateWithPasskeyResponse> {
    const { options } = await passkeys.authenticationOptions(challengeId ? { challengeId } : {});
    // the library's JSON types are interfaces; the generated body types are loose object types
    const response = (await ceremony(() =>
      startAuthentication({
        optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
        useBrowserAutofill: conditional,
      }),
    )) as unknown as AuthenticateWithPasskeyBody['response'];
    return passkeys.verifyAuthentication(challengeId ? { response, challengeId } : { response });
  }

  const added: { passkeys: Omit<WebAuthnMethods['passkeys'], keyof PortcullisClient['passkeys']> } & {
    mfa: Omit<WebAuthnMethods['mfa'], keyof PortcullisClient['mfa']>;
  } = {
    passkeys: {
      async register({ name } = {}) {
        const { options } = await passkeys.registrationOptions({});
        const response = (await ceremony(() =>
          startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON }),
        )) as unknown as RegisterPasskeyBody['response'];
        return passkeys.verifyRegistration({ response, ...(name ? { name } : {}) });
      },
      signIn: async ({ conditional = false } = {}) =>
        (await authenticate(undefined, conditional)) as PasskeySignInResult,
      async reauthenticate() {
        // without a session the server would take the ceremony for a sign-in
        if (client.session.getSnapshot().status === 'unauthenticated') throw notSignedIn();
        const result = await authenticate(undefined, false);
        if (!('session' in result)) throw notSignedIn();
        return { session: result.session };
      },
      cancel: () => WebAuthnAbortService.cancelCeremony(),
    },
    mfa: {
      completeWithPasskey: async (challengeId) =>
        (await authenticate(challengeId, false)) as PasskeySignInResult,
    },
  };
  Object.assign(passkeys, added.passkeys);
  Object.assign(mfa, added.mfa);
  return client as Client & WebAuthnMethods;
}

function notSignedIn(): PortcullisClientError {
  return new PortcullisClientError('unauthenticated', { status: 401, detail: 'not signed in' });
}

/** The browser's part, its failures as client errors. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  if (!browserSupportsWebAuthn()) {
    throw new PortcullisClientError('webauthn_unsupported', {
      status: 0,
      detail: 'this browser does not support passkeys',
    });
  }
  try {
    return await run();
  } catch (cause) {
    const error = cause as { name?: string; code?: string; message?: string };
    const cancelled =
      error.name === 'NotAllowedError' ||
      error.name === 'AbortError' ||
      error.code === 'ERROR_CEREMONY_ABORTED';
    throw new PortcullisClientError(cancelled ? 'webauthn_cancelled' : 'webauthn_failed', {
      status: 0,
      detail: error.message,
      cause,
    });
  }
}
