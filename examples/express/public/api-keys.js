// The "API keys" card of a tenant, on Portcullis's own routes (/auth/tenants/:id/api-keys): create
// a key (name, environment, permissions, expiry) and show it this once with a ready-to-copy curl
// line against the app's versioned API; list the keys that still work with their last use;
// rotate (the new key shown once, the old one overlapping until its overlap ends); revoke. The
// key lives only in this card's input until "I have copied it", a reload or another tenant.

import { call } from './call.js';

const $ = (id) => document.getElementById(id);

/** Where each environment's keys call the reports route (src/api-v1-routes.js mounts them). */
const REPORTS_PATHS = { live: '/api/v1/reports', test: '/api/test/v1/reports' };

function element(tag, text, attributes = {}) {
  const created = Object.assign(document.createElement(tag), attributes);
  if (text !== undefined) created.textContent = text;
  return created;
}

const when = (iso) => new Date(iso).toLocaleString();

const keysPath = (tenant, rest = '') => `/auth/tenants/${encodeURIComponent(tenant.id)}/api-keys${rest}`;

/** Whether the signed-in member may manage the tenant's keys: the server's decision, asked. */
export async function mayManageApiKeys(tenant) {
  try {
    const decision = await call('POST', `/auth/tenants/${encodeURIComponent(tenant.id)}/authorize`, {
      action: 'api_key.manage',
    });
    return decision.allowed === true;
  } catch {
    return false;
  }
}

/** The command a reader pastes into a terminal to call the API with `key`. */
function curlLine(key, environment) {
  const url = new URL(REPORTS_PATHS[environment] ?? REPORTS_PATHS.live, location.origin);
  // a key is letters, digits and underscores: nothing in it needs quoting
  return `curl -H 'x-api-key: ${key}' ${url.href}`;
}

/**
 * Wires the card once. `run(action, near)` runs an action and shows its problem next to `near`
 * (app.js's). Returns `show(tenant)` and `close()`.
 */
export function initApiKeysCard({ run }) {
  let tenant = null;

  async function show(shown) {
    tenant = shown;
    $('api-keys-title').textContent = `API keys of ${tenant.name}`;
    $('api-key-form').reset();
    hideKey();
    await Promise.all([markGrantablePermissions(shown), loadKeys()]);
    $('api-keys-panel').hidden = false;
  }

  function close() {
    tenant = null;
    hideKey();
    $('api-keys-panel').hidden = true;
  }

  /**
   * A key gets at most what its creator holds (the server answers 403 otherwise): the permissions
   * the member's roles do not grant are offered disabled, with the reason next to them.
   */
  async function markGrantablePermissions(shown) {
    const boxes = [...$('api-key-permissions').querySelectorAll('input[name="permissions"]')];
    const allowed = await Promise.all(
      boxes.map((box) =>
        call('POST', `/auth/tenants/${encodeURIComponent(shown.id)}/authorize`, { action: box.value }).then(
          (decision) => decision.allowed === true,
          () => false,
        ),
      ),
    );
    boxes.forEach((box, index) => {
      const label = box.closest('label');
      label.querySelector('.not-granted')?.remove();
      box.disabled = !allowed[index];
      if (box.disabled) {
        box.checked = false;
        label.append(element('span', ' (your roles do not grant it)', { className: 'muted not-granted' }));
      }
    });
  }

  async function loadKeys() {
    const shown = tenant;
    let items;
    try {
      ({ items } = await call('GET', keysPath(shown, '?limit=100')));
    } catch (problem) {
      // roles change: the button was offered, the server now says no
      if (problem?.code !== 'forbidden') throw problem;
      $('api-keys').replaceChildren(element('li', 'Listing and creating keys needs api_key.manage.'));
      return;
    }
    if (tenant !== shown) return;
    $('api-keys').replaceChildren(
      ...(items.length === 0 ? [element('li', 'No keys yet.')] : items.map((key) => keyItem(shown, key))),
    );
  }

  /** One key: name, start…last four, environment, state, last use, creation; Rotate and Revoke. */
  function keyItem(shown, key) {
    const state =
      key.state === 'overlapping'
        ? `overlapping until ${when(key.overlapEndsAt)} (rotated)`
        : key.state === 'active' && key.expiresAt
          ? `active until ${when(key.expiresAt)}`
          : key.state;
    const facts = [
      key.environment,
      state,
      key.permissions.join(' '),
      key.lastUsedAt ? `last used ${when(key.lastUsedAt)}` : 'never used',
      `created ${when(key.createdAt)}`,
    ].join(' · ');
    const li = element('li');
    li.append(
      element('strong', key.name),
      ' ',
      element('code', `${key.start}…${key.lastFour}`),
      ` — ${facts}`,
    );
    if (key.state === 'active') {
      const rotate = element('button', 'Rotate', { type: 'button' });
      rotate.setAttribute('aria-label', `Rotate ${key.name}`);
      rotate.addEventListener('click', () =>
        run(async () => {
          const rotated = await call('POST', keysPath(shown, `/${encodeURIComponent(key.id)}/rotate`), {});
          showKey(rotated, `The new key of ${rotated.name}`);
          await loadKeys();
        }, rotate),
      );
      li.append(rotate);
    }
    const revoke = element('button', key.state === 'overlapping' ? 'End overlap now' : 'Revoke', {
      type: 'button',
    });
    revoke.setAttribute('aria-label', `${revoke.textContent} ${key.name}`);
    revoke.addEventListener('click', () =>
      run(async () => {
        if (!confirm(`Revoke ${key.name} (${key.start}…${key.lastFour})? It stops working at once.`)) return;
        await call('POST', keysPath(shown, `/${encodeURIComponent(key.id)}/revoke`));
        await loadKeys();
      }, revoke),
    );
    li.append(revoke);
    return li;
  }

  /** Shows a key this once, with its curl line, in the card's live region. */
  function showKey(created, title) {
    $('api-key-shown-title').textContent = title;
    $('api-key-value').value = created.key;
    $('api-key-curl').value = curlLine(created.key, created.environment);
    $('copy-api-key').textContent = 'Copy key';
    $('copy-api-key-curl').textContent = 'Copy curl command';
    $('api-key-shown').hidden = false;
    $('api-key-value').focus();
    $('api-key-value').select();
  }

  /** Forgets the shown key: it is nowhere in the page afterwards. */
  function hideKey() {
    $('api-key-shown').hidden = true;
    $('api-key-value').value = '';
    $('api-key-curl').value = '';
  }

  $('api-key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    run(async () => {
      const data = new FormData(form);
      const expiresInSeconds = data.get('expiresInSeconds');
      const created = await call('POST', keysPath(tenant), {
        name: data.get('name'),
        environment: data.get('environment'),
        permissions: data.getAll('permissions'),
        ...(expiresInSeconds ? { expiresInSeconds: Number(expiresInSeconds) } : {}),
      });
      showKey(created, `Your new key, ${created.name}`);
      form.reset();
      // reset() ticks the default again, even where it is not the member's to give
      for (const box of form.querySelectorAll('input[name="permissions"]:disabled')) box.checked = false;
      await loadKeys();
    }, form);
  });

  for (const [buttonId, inputId, label] of [
    ['copy-api-key', 'api-key-value', 'Copy key'],
    ['copy-api-key-curl', 'api-key-curl', 'Copy curl command'],
  ]) {
    const copy = $(buttonId);
    copy.addEventListener('click', () =>
      run(async () => {
        await navigator.clipboard.writeText($(inputId).value);
        copy.textContent = 'Copied';
        setTimeout(() => {
          copy.textContent = label;
        }, 2_000);
      }, copy),
    );
  }

  $('api-key-shown-done').addEventListener('click', hideKey);

  return { show, close };
}
