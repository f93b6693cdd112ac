// Two-factor authentication in the page, in two parts:
//
// - showMfaStep(): the second step of a login. POST /auth/login (or a magic link) answers
//   { mfaRequired, challengeId, methods } for an account with a second factor, and no session
//   yet; this step sends a TOTP code or a recovery code to POST /auth/mfa/verify, which opens it.
//   Other second factors plug in here: the step has an element #mfa-other-methods and announces
//   itself with a `portcullis:mfa-step` event on `document` whose detail is
//   { challenge, container, complete, finish, fail }: a listener adds its controls to `container`
//   and either calls `complete({ method, ...proof })`, which POSTs /auth/mfa/verify, or completes
//   the login through its own route and hands the answer to `finish(signedIn)` (passkeys.js
//   does, through POST /auth/passkeys/authentication), or reports a refusal with `fail(problem)`.
// - initMfaCard(): the account card that turns TOTP on (secret, otpauth:// URI and QR code,
//   confirm with a first code, the 10 recovery codes shown once), replaces the recovery codes and
//   turns TOTP off. Each needs a recent authentication: on 401 step_up_required the card asks
//   for the password (POST /auth/reauthenticate) and then does what was asked.

import { call as request } from './call.js';

const $ = (id) => document.getElementById(id);

function element(tag, text, attributes = {}) {
  const created = Object.assign(document.createElement(tag), attributes);
  if (text !== undefined) created.textContent = text;
  return created;
}

const METHOD_LABELS = {
  totp: 'A code from my authenticator app',
  recovery_code: 'One of my recovery codes',
};

/**
 * Shows the second step of a login in `container` (emptied first) for `challenge`.
 * `onSignedIn(signedIn)` runs once a factor is accepted (the session cookie is set by then);
 * `onProblem(problem)` shows a refusal; `onCancel()` runs when the person gives up or the
 * challenge has expired (5 minutes), after which they must log in again.
 */
export function showMfaStep(container, challenge, { onSignedIn, onProblem, onCancel }) {
  const methods = challenge.methods.filter((method) => method in METHOD_LABELS);
  const form = element('form', undefined, { id: 'mfa-form' });
  const choices = element('fieldset');
  choices.append(element('legend', 'Use'));
  for (const [index, method] of methods.entries()) {
    const radio = element('input', undefined, {
      type: 'radio',
      name: 'method',
      value: method,
      checked: index === 0,
    });
    const label = element('label');
    label.append(radio, ` ${METHOD_LABELS[method]}`);
    choices.append(label);
  }
  const code = element('input', undefined, {
    name: 'code',
    required: true,
    autocomplete: 'one-time-code',
    spellcheck: false,
  });
  const codeLabel = element('label', 'Code');
  codeLabel.append(code);
  const cancel = element('button', 'Cancel', { type: 'button' });
  const otherMethods = element('div', undefined, { id: 'mfa-other-methods' });
  // a code form only for a factor that takes a code: with only a passkey there is nothing to type
  const takesCode = methods.length > 0;
  if (takesCode) form.append(choices, codeLabel, element('button', 'Verify'), cancel);

  container.replaceChildren(
    element('h2', 'Second step'),
    element('p', 'Your account has a second factor: prove it to finish signing in.', { className: 'muted' }),
    ...(takesCode ? [form] : []),
    otherMethods,
    ...(takesCode ? [] : [cancel]),
  );
  container.hidden = false;
  if (takesCode) code.focus();

  const close = () => {
    container.hidden = true;
    container.replaceChildren();
  };
  /** Completes the login with a second factor; the challenge is used up by a success. */
  async function complete(proof) {
    onProblem(null);
    try {
      const signedIn = await request('POST', '/auth/mfa/verify', {
        challengeId: challenge.challengeId,
        ...proof,
      });
      close();
      await onSignedIn(signedIn);
    } catch (problem) {
      onProblem(problem);
      // expired or already completed: only a new login opens another
      if (problem?.code === 'mfa_challenge_invalid') {
        close();
        onCancel();
      }
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const method = new FormData(form).get('method');
    complete({ method, code: code.value.trim() }).finally(() => {
      code.value = '';
    });
  });
  cancel.addEventListener('click', () => {
    close();
    onCancel();
  });
  /** The login was completed through another route (a passkey): the session is open. */
  async function finish(signedIn) {
    close();
    await onSignedIn(signedIn);
  }
  document.dispatchEvent(
    new CustomEvent('portcullis:mfa-step', {
      detail: { challenge, container: otherMethods, complete, finish, fail: onProblem },
    }),
  );
}

/**
 * Wires the account card (#mfa-card). `run(action)` runs a click's work and shows its problem,
 * as the rest of the page does. Returns `load()`, which shows the signed-in user's status.
 */
export function initMfaCard({ run }) {
  /** What to do again once the password is proven (a step-up), or null. */
  let afterReauthentication = null;

  async function load() {
    const status = await request('GET', '/auth/mfa');
    $('mfa-status').textContent = status.totpEnabled
      ? `On: sign-ins ask for a code from your authenticator app. Recovery codes left: ${status.recoveryCodesRemaining}.`
      : 'Off: your password alone signs you in.';
    $('totp-setup').hidden = status.totpEnabled;
    $('totp-disable').hidden = !status.totpEnabled;
    $('recovery-regenerate').hidden = !status.totpEnabled;
    if (status.totpEnabled) $('totp-enrol').hidden = true;
  }

  function showRecoveryCodes(codes) {
    $('recovery-code-list').replaceChildren(...codes.map((code) => element('li', code)));
    $('recovery-codes').hidden = false;
  }

  /** Runs an action that needs a recent authentication: on step_up_required, asks for the password. */
  async function withFreshAuthentication(action) {
    try {
      await action();
    } catch (problem) {
      if (problem?.code !== 'step_up_required') throw problem;
      afterReauthentication = action;
      $('reauth-form').hidden = false;
      $('reauth-form').querySelector('input').focus();
    }
  }

  $('totp-setup').addEventListener('click', () =>
    run(() =>
      withFreshAuthentication(async () => {
        const setup = await request('POST', '/api/mfa/totp/setup', {});
        $('totp-qr').src = setup.qrCode;
        $('totp-secret').value = setup.secret;
        $('totp-uri').value = setup.otpauthUri;
        $('recovery-codes').hidden = true;
        $('totp-enrol').hidden = false;
      }),
    ),
  );

  $('totp-confirm-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    const code = new FormData(form).get('code').trim();
    run(() =>
      withFreshAuthentication(async () => {
        const { recoveryCodes } = await request('POST', '/auth/mfa/totp/confirm', { code });
        form.reset();
        // the secret is not needed any more: off the page
        $('totp-secret').value = '';
        $('totp-uri').value = '';
        $('totp-qr').removeAttribute('src');
        $('totp-enrol').hidden = true;
        showRecoveryCodes(recoveryCodes);
        await load();
      }),
    );
  });

  $('recovery-regenerate').addEventListener('click', () =>
    run(() =>
      withFreshAuthentication(async () => {
        const { recoveryCodes } = await request('POST', '/auth/mfa/recovery-codes', {});
        showRecoveryCodes(recoveryCodes);
        await load();
      }),
    ),
  );

  $('totp-disable').addEventListener('click', () =>
    run(() =>
      withFreshAuthentication(async () => {
        await request('DELETE', '/auth/mfa/totp');
        $('recovery-codes').hidden = true;
        await load();
      }),
    ),
  );

  $('recovery-codes-done').addEventListener('click', () => {
    $('recovery-codes').hidden = true;
    $('recovery-code-list').replaceChildren();
  });

  $('reauth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    run(async () => {
      await request('POST', '/auth/reauthenticate', { password: new FormData(form).get('password') });
      form.reset();
      form.hidden = true;
      const action = afterReauthentication;
      afterReauthentication = null;
      await action?.();
    });
  });
  $('reauth-cancel').addEventListener('click', () => {
    afterReauthentication = null;
    $('reauth-form').reset();
    $('reauth-form').hidden = true;
  });

  return { load };
}
