// WebAuthn in the page, without a library: Portcullis answers the options as JSON (base64url
// strings where the browser API wants bytes) and takes the responses as JSON; the helpers below
// convert both ways. Loaded by the account page (with passkeys.js) and by the magic-link page, so
// the second step of a login offers the passkey wherever it is shown.

import { call } from './call.js';

const fromBase64url = (text) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const toBase64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const withBytes = (descriptors) => (descriptors ?? []).map((d) => ({ ...d, id: fromBase64url(d.id) }));

/** `navigator.credentials.create()` from Portcullis's creation options; answers the response JSON. */
export async function createCredential(options) {
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      user: { ...options.user, id: fromBase64url(options.user.id) },
      excludeCredentials: withBytes(options.excludeCredentials),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    },
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/** `navigator.credentials.get()` from Portcullis's request options; answers the response JSON. */
export async function getCredential(options) {
  const credential = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      allowCredentials: withBytes(options.allowCredentials),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    },
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/**
 * One authentication ceremony: options, the browser's prompt, the answer. With `challengeId`
 * it completes a pending login; signed in, it is a step-up; otherwise a usernameless sign-in.
 */
export async function authenticate(challengeId) {
  const body = challengeId ? { challengeId } : {};
  const { options } = await call('POST', '/auth/passkeys/authentication/options', body);
  const response = await getCredential(options);
  return call('POST', '/auth/passkeys/authentication', { ...body, response });
}

// the second step of a login (public/mfa.js) offers the passkey when the account has one
document.addEventListener('portcullis:mfa-step', (event) => {
  const { challenge, container, finish, fail } = event.detail;
  if (!challenge.methods.includes('passkey')) return;
  const button = Object.assign(document.createElement('button'), {
    type: 'button',
    textContent: 'Use a passkey',
  });
  button.addEventListener('click', async () => {
    try {
      await finish(await authenticate(challenge.challengeId));
    } catch (problem) {
      fail(problem);
    }
  });
  container.append(button);
});
