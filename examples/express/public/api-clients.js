// The "API client" card of a tenant: its M2M clients (list, create, delete; the secret shown
// once), and "Call the API with a token", which has the server play the client: POST
// /api/demo/client-call gets a token at /auth/oauth/token (client credentials) and calls the
// machine API, GET /api/resource/reports, with it. The page sends the secret it was shown (or
// one typed in) to its own server and never asks for a token itself.

import { call } from './call.js';

const $ = (id) => document.getElementById(id);

function element(tag, text, attributes = {}) {
  const created = Object.assign(document.createElement(tag), attributes);
  if (text !== undefined) created.textContent = text;
  return created;
}

const clientsPath = (tenant, id) =>
  `/auth/tenants/${encodeURIComponent(tenant.id)}/clients${id ? `/${encodeURIComponent(id)}` : ''}`;

/**
 * Wires the card once. `run(action, near)` runs an action and shows its problem next to `near`
 * (app.js's). Returns `show(tenant)` and `close()`.
 */
export function initApiClientsCard({ run }) {
  let tenant = null;

  async function show(shown) {
    tenant = shown;
    $('clients-title').textContent = `API clients of ${tenant.name}`;
    $('client-form').reset();
    $('client-call-form').reset();
    $('client-created').hidden = true;
    $('client-call-result').hidden = true;
    await Promise.all([loadScopes(), loadClients()]);
    $('clients-panel').hidden = false;
  }

  function close() {
    tenant = null;
    $('clients-panel').hidden = true;
  }

  /** The scopes clients may ask for: the authorization server metadata's `scopes_supported`. */
  async function loadScopes() {
    const metadata = await call('GET', '/auth/.well-known/oauth-authorization-server');
    const legend = $('client-scopes').querySelector('legend');
    $('client-scopes').replaceChildren(
      legend,
      ...(metadata.scopes_supported ?? []).map((scope) => {
        const label = element('label');
        label.append(
          element('input', undefined, { type: 'checkbox', name: 'scopes', value: scope }),
          ` ${scope}`,
        );
        return label;
      }),
    );
  }

  async function loadClients() {
    const shown = tenant;
    let items;
    try {
      ({ items } = await call('GET', clientsPath(shown)));
    } catch (problem) {
      if (problem?.code !== 'forbidden') throw problem;
      $('clients').replaceChildren(element('li', 'Listing and creating clients needs client.manage.'));
      return;
    }
    $('clients').replaceChildren(
      ...(items.length === 0
        ? [element('li', 'No clients yet.')]
        : items.map((client) => {
            const scopes = client.allowedScopes.length > 0 ? client.allowedScopes.join(' ') : 'no scopes';
            const li = element('li', `${client.name} — ${client.environment} · ${scopes} · ${client.id} `);
            const remove = element('button', 'Delete', { type: 'button' });
            remove.addEventListener('click', () =>
              run(async () => {
                if (!confirm(`Delete ${client.name}? Its tokens stop working at once.`)) return;
                await call('DELETE', clientsPath(shown, client.id));
                await loadClients();
              }, remove),
            );
            li.append(remove);
            return li;
          })),
    );
  }

  $('client-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    run(async () => {
      const data = new FormData(form);
      const created = await call('POST', clientsPath(tenant), {
        name: data.get('name'),
        environment: data.get('environment'),
        scopes: data.getAll('scopes'),
      });
      // shown this once; also put in the call form so "Call the API" works right away
      $('client-created-id').value = created.id;
      $('client-created-secret').value = created.secret;
      $('client-created').hidden = false;
      const callForm = $('client-call-form');
      callForm.elements.clientId.value = created.id;
      callForm.elements.clientSecret.value = created.secret;
      form.reset();
      await loadClients();
    }, form);
  });

  $('client-call-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    run(async () => {
      const data = new FormData(form);
      const result = await call('POST', '/api/demo/client-call', {
        clientId: data.get('clientId'),
        clientSecret: data.get('clientSecret'),
      });
      $('client-call-token-status').textContent = `— ${result.token.status}`;
      $('client-call-token').textContent = JSON.stringify(
        result.claims ? { ...result.token.body, claims: result.claims } : result.token.body,
        null,
        2,
      );
      $('client-call-api-status').textContent = result.api
        ? `— ${result.api.status}`
        : '— not called (no token)';
      $('client-call-api').textContent = result.api
        ? JSON.stringify(
            result.api.wwwAuthenticate
              ? { 'WWW-Authenticate': result.api.wwwAuthenticate, ...result.api.body }
              : result.api.body,
            null,
            2,
          )
        : '';
      $('client-call-result').hidden = false;
    }, form);
  });

  return { show, close };
}
