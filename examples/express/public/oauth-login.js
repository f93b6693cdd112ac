// "Sign in with …" for the providers the server configures (GET /auth/oauth/providers), the
// signed-in user's linked providers (link, unlink), and the two answers a provider's sign-in
// brings back in the URL fragment: #mfa_challenge=… (the account has a second factor: the
// login's second step, public/mfa.js through app.js, asks for it) and #oauth_linked=<provider>.
// A fragment never reaches a server, so the challenge id is not in any log. It reads the page's
// #signed-in section to know when to show the linked providers.

import { startSecondStep } from './app.js';
import { call } from './call.js';

const $ = (id) => document.getElementById(id);

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function say(text) {
  $('status').textContent = text;
}

let providers = [];

async function showSignInButtons() {
  providers = (await call('GET', '/auth/oauth/providers')).providers;
  const box = $('oauth-login');
  if (providers.length === 0) return;
  box.replaceChildren(element('p', 'Or', { class: 'muted' }));
  for (const provider of providers) {
    // a top-level navigation: the server answers with a redirect to the provider
    box.append(element('a', `Sign in with ${provider.name}`, { class: 'button', href: provider.startPath }));
  }
  box.hidden = false;
}

async function showLinkedAccounts() {
  const card = $('oauth-accounts');
  if (providers.length === 0 || $('signed-in').hidden) {
    card.hidden = true;
    return;
  }
  const { accounts } = await call('GET', '/auth/oauth/accounts');
  const list = element('ul');
  for (const account of accounts) {
    const name = providers.find((p) => p.id === account.provider)?.name ?? account.provider;
    const unlink = element('button', 'Unlink', { type: 'button' });
    unlink.addEventListener('click', () =>
      call('DELETE', `/auth/oauth/accounts/${encodeURIComponent(account.id)}`).then(
        showLinkedAccounts,
        (problem) => say(problem.detail ?? problem.title),
      ),
    );
    const item = element('li', `${name}${account.email ? ` (${account.email})` : ''} `);
    item.append(unlink);
    list.append(item);
  }
  const links = element('p');
  for (const provider of providers) {
    // linking needs a sign-in of the last 10 minutes; the server says so otherwise
    links.append(
      element('a', `Link ${provider.name}`, { class: 'button', href: `${provider.startPath}?intent=link` }),
      ' ',
    );
  }
  card.replaceChildren(element('h2', 'Sign-in providers'), list, links);
  card.hidden = false;
}

function readFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!fragment.has('mfa_challenge') && !fragment.has('oauth_linked')) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return fragment;
}

const fragment = readFragment();
showSignInButtons()
  .then(() => {
    if (fragment?.has('mfa_challenge')) {
      // the login's second step, as after a password: a code, a recovery code or a passkey
      startSecondStep({
        mfaRequired: true,
        challengeId: fragment.get('mfa_challenge'),
        methods: (fragment.get('methods') ?? 'totp').split(','),
      });
    }
    if (fragment?.has('oauth_linked')) say(`Linked ${fragment.get('oauth_linked')} to your account`);
    new MutationObserver(() => showLinkedAccounts().catch(() => {})).observe($('signed-in'), {
      attributes: true,
      attributeFilter: ['hidden'],
    });
    return showLinkedAccounts();
  })
  .catch(() => {});
