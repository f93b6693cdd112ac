// Passkeys in the page: sign in without a password, as the second factor after a password, add,
// rename and delete them, and confirm "it's me" (step-up). The WebAuthn options come from
// Portcullis as JSON (base64url strings where the browser API wants bytes): the two helpers
// below convert both ways, so no library is needed in the page.

import { call, refresh, run } from './app.js';

const $ = (id) => document.getElementById(id);

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
async function authenticate(challengeId) {
  const body = challengeId ? { challengeId } : {};
  const { options } = await call('POST', '/auth/passkeys/authentication/options', body);
  const response = await getCredential(options);
  return call('POST', '/auth/passkeys/authentication', { ...body, response });
}

/** The pending login a password answered with `mfaRequired`, while the page offers the passkey. */
let pendingLogin = null;

document.addEventListener('portcullis:mfa-required', (event) => {
  pendingLogin = event.detail;
  $('passkey-mfa').hidden = !pendingLogin.methods.includes('passkey');
});

document.addEventListener('portcullis:refreshed', (event) => {
  if (!event.detail.signedIn) return;
  pendingLogin = null;
  $('passkey-mfa').hidden = true;
  run(loadPasskeys);
});

$('passkey-sign-in').addEventListener('click', () =>
  run(async () => {
    const result = await authenticate(null);
    // a passkey without user verification, for an account that also has TOTP
    if (result.mfaRequired)
      document.dispatchEvent(new CustomEvent('portcullis:mfa-required', { detail: result }));
    await refresh();
  }),
);

$('passkey-mfa-button').addEventListener('click', () =>
  run(async () => {
    if (!pendingLogin) return;
    await authenticate(pendingLogin.challengeId);
    await refresh();
  }),
);

$('passkey-step-up').addEventListener('click', () =>
  run(async () => {
    await authenticate(null);
    $('status').textContent = 'Confirmed with a passkey: sensitive changes are allowed for 5 minutes';
  }),
);

$('passkey-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  run(async () => {
    const { options } = await call('POST', '/auth/passkeys/registration/options', {});
    const response = await createCredential(options);
    const name = new FormData(form).get('name');
    await call('POST', '/auth/passkeys/registration', name ? { response, name } : { response });
    form.reset();
    await loadPasskeys();
  });
});

async function loadPasskeys() {
  const { items } = await call('GET', '/auth/passkeys');
  $('passkeys').replaceChildren(
    ...(items.length === 0 ? [listItem('No passkeys yet.')] : items.map(passkeyItem)),
  );
}

function passkeyItem(passkey) {
  const used = passkey.lastUsedAt
    ? `last used ${new Date(passkey.lastUsedAt).toLocaleString()}`
    : 'never used';
  const kind = passkey.deviceType === 'multiDevice' ? 'synced' : 'this device only';
  const li = listItem(
    `${passkey.name} — ${kind}, ${used}`,
    actionButton('Rename', () => renameForm(passkey)),
    actionButton('Delete', async () => {
      // a fresh authentication is required (step_up_required otherwise: use the button below)
      await call('DELETE', `/auth/passkeys/${encodeURIComponent(passkey.id)}`);
      await loadPasskeys();
    }),
  );
  li.dataset.id = passkey.id;
  return li;
}

function renameForm(passkey) {
  const input = Object.assign(document.createElement('input'), {
    value: passkey.name,
    required: true,
    maxLength: 100,
    ariaLabel: 'New name',
  });
  const form = document.createElement('form');
  form.className = 'inline';
  const save = Object.assign(document.createElement('button'), { textContent: 'Save' });
  form.append(input, save, actionButton('Cancel', loadPasskeys));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      await call('PATCH', `/auth/passkeys/${encodeURIComponent(passkey.id)}`, { name: input.value });
      await loadPasskeys();
    });
  });
  const li = document.createElement('li');
  li.append(form);
  const list = $('passkeys');
  const index = [...list.children].findIndex((child) => child.dataset.id === passkey.id);
  list.children[index]?.replaceWith(li);
}

function listItem(text, ...children) {
  const li = document.createElement('li');
  li.append(text, ...children);
  return li;
}

function actionButton(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => run(onClick));
  return b;
}
