// The pages emailed links open (/verify-email, /reset-password, /magic-link with ?token=…).
// Opening the link uses nothing: mail scanners and link previews fetch it too. The token is only
// POSTed when the person clicks, and it leaves the address bar at once (no Referer, no history).

import { showMfaStep } from './mfa.js';

const $ = (id) => document.getElementById(id);
const flow = document.body.dataset.flow;
const ENDPOINTS = {
  'verify-email': '/auth/email/verify',
  'reset-password': '/auth/password/reset',
  'magic-link': '/auth/magic-link/verify',
};

const token = new URLSearchParams(location.search).get('token');
history.replaceState(null, '', location.pathname);

function show(problem) {
  const box = $('error');
  box.textContent = problem
    ? `${problem.title ?? 'Something went wrong'}${problem.detail ? `: ${problem.detail}` : ''}`
    : '';
  box.hidden = !problem;
}

if (!token) {
  show({ title: 'This page needs the link from your email' });
  $('token-form').hidden = true;
}

$('token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  show(null);
  const body = { token, ...Object.fromEntries(new FormData(event.target)) };
  const response = await fetch(ENDPOINTS[flow], {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    show(data ?? { title: `HTTP ${response.status}` });
    return;
  }
  $('token-form').hidden = true;
  if (flow === 'magic-link' && data.mfaRequired) {
    // the link proved the inbox; the account's second factor still has to be proven
    $('status').textContent = 'One more step to sign in';
    showMfaStep($('mfa-step'), data, {
      onSignedIn: () => location.assign('/'),
      onProblem: show,
      onCancel: () => {
        $('status').textContent = 'Not signed in: ask for a new link, or log in with your password.';
      },
    });
  } else if (flow === 'magic-link') {
    // the server only answers redirects from its allowlist
    location.assign(data.redirectTo ?? '/');
  } else if (flow === 'reset-password') {
    $('status').textContent = 'Your password is changed and every session is signed out. Log in again.';
  } else {
    $('status').textContent = 'Your email address is verified.';
  }
});
