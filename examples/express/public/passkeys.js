// Passkeys on the account page: sign in without a password, add, rename and delete them, and
// confirm "it's me" (step-up). The ceremonies themselves, and the passkey offered at the second
// step of a login, are in webauthn.js.

import { call, refresh, run, startSecondStep } from './app.js';
import { authenticate, createCredential } from './webauthn.js';

const $ = (id) => document.getElementById(id);

document.addEventListener('portcullis:refreshed', (event) => {
  if (event.detail.signedIn) run(loadPasskeys);
});

$('passkey-sign-in').addEventListener('click', () =>
  run(async () => {
    const result = await authenticate(null);
    // a passkey without user verification, for an account that also has TOTP
    if (result.mfaRequired) startSecondStep(result);
    else await refresh();
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
    const registered = await call(
      'POST',
      '/auth/passkeys/registration',
      name ? { response, name } : { response },
    );
    form.reset();
    // the first second factor comes with recovery codes, shown this once (the TOTP card's list)
    if (registered.recoveryCodes) {
      $('recovery-code-list').replaceChildren(
        ...registered.recoveryCodes.map((code) =>
          Object.assign(document.createElement('li'), { textContent: code }),
        ),
      );
      $('recovery-codes').hidden = false;
    }
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
