// The whole client: plain fetch against /auth/*, /api/me and /api/tenants/:id/documents (and,
// through api-clients.js, /api/demo/client-call; api-keys.js is the API keys card). The session
// lives in an HttpOnly cookie, so this script never sees a session token; fetch sends the cookie
// (same origin) and an Origin header on every POST/PATCH/DELETE, which is what Portcullis's CSRF
// check looks for. The one secret it handles is an invitation token, read from an invitation link
// (?token=…) (api-clients.js shows a new M2M client's secret once, and hands it to the server;
// api-keys.js shows a new API key once and keeps it nowhere else).
// Every decision is the server's: the page shows the problem+json it answers.

import { initApiClientsCard } from './api-clients.js';
import { initApiKeysCard, mayManageApiKeys } from './api-keys.js';
import { call } from './call.js';
import { initMfaCard, showMfaStep } from './mfa.js';

const $ = (id) => document.getElementById(id);

/**
 * A denial's reason (the decision's `reason`, in 403 problems from requirePermission) in words.
 * Only members who may read the tenant's policies are told which policy decided.
 */
function describeReason(reason) {
  switch (reason.kind) {
    case 'deny_policy':
      return `denied by policy "${reason.id}"`;
    case 'undisclosed_policy':
      return 'a policy of this tenant does not allow it here';
    case 'missing_attribute':
      return `policy "${reason.id}" needs an attribute this request lacks`;
    default:
      return 'none of your roles grants it, and no policy allows it here';
  }
}

/**
 * Shows a problem: next to `near` (the button or form that caused it) when given, so it is seen
 * where the person is looking, else in the box at the top of the page. `null` clears both.
 */
function showError(problem, near) {
  const box = $('error');
  box.replaceChildren();
  box.hidden = true;
  for (const old of document.querySelectorAll('.inline-error')) old.remove();
  if (!problem) return;
  const target = near?.isConnected ? inlineErrorBox(near) : box;
  target.append(...problemText(problem));
  target.hidden = false;
}

/** An error box right after the form, or at the end of the list item, that `near` belongs to. */
function inlineErrorBox(near) {
  const box = element('div');
  box.className = 'error inline-error';
  box.setAttribute('role', 'alert');
  const row = near.closest('li');
  if (row) row.append(box);
  else (near.closest('form') ?? near).insertAdjacentElement('afterend', box);
  return box;
}

function problemText(problem) {
  const title = element('strong', problem.title ?? 'Something went wrong');
  const parts = [title];
  // validation problems list each field; their detail repeats the same text
  if (problem.reason) parts.push(`: ${describeReason(problem.reason)}`);
  else if (problem.detail && !problem.issues?.length) parts.push(`: ${problem.detail}`);
  if (problem.retryAfterSeconds) parts.push(` Try again in ${describeWait(problem.retryAfterSeconds)}.`);
  if (problem.issues?.length) {
    const list = element('ul');
    for (const issue of problem.issues) list.append(item(`${issue.path}: ${issue.message}`));
    parts.push(list);
  }
  return parts;
}

/** 42 → "42 seconds", 90 → "2 minutes". */
function describeWait(seconds) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** "Chrome on Linux" from a user agent; the raw string stays in the tooltip. */
export function describeDevice(userAgent) {
  if (!userAgent) return 'an unknown device';
  const browsers = [
    [/Edg\//, 'Edge'],
    [/OPR\/|Opera/, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/HeadlessChrome\//, 'Headless Chrome'],
    [/Chrome\/|Chromium\//, 'Chrome'],
    [/Safari\//, 'Safari'],
    [/^curl\//, 'curl'],
    [/node|undici/i, 'a script (Node.js)'],
  ];
  const systems = [
    [/iPhone|iPad|iPod/, 'iOS'],
    [/Android/, 'Android'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'A browser';
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}

function item(text, ...children) {
  const li = document.createElement('li');
  li.append(text, ...children);
  return li;
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => run(onClick, b));
  return b;
}

/** Runs an action, showing its problem (if any) next to `near`, or at the top of the page. */
async function run(action, near) {
  showError(null);
  try {
    await action();
  } catch (problem) {
    showError(problem instanceof Error ? { title: problem.message } : problem, near);
    // the session was revoked elsewhere or expired: show the signed-out page
    if (problem?.code === 'unauthenticated') await refresh().catch(() => {});
  }
}

const when = (iso) => new Date(iso).toLocaleString();

/** The signed-in user's id, and the tenants whose members and documents are shown (null: none). */
let myId = null;
let membersTenant = null;
let documentsTenant = null;

/**
 * The token of the invitation link this page was opened with (`invitations.acceptUrl` in
 * src/app.js points here; Portcullis adds `?token=`), until it is used or dismissed.
 */
let invitationToken = new URLSearchParams(location.search).get('token');
// off the address bar at once: it would otherwise ride in the Referer of every request this page
// makes, and stay in history (the page keeps it in memory until it is used or dismissed)
if (invitationToken !== null) {
  const url = new URL(location.href);
  url.searchParams.delete('token');
  history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
}

/** Shows what can be done with the invitation: accept it when signed in, sign up with it when not. */
function showInvitation(signedIn) {
  const pending = invitationToken !== null;
  $('invitation').hidden = !pending;
  $('accept-invitation').hidden = !(pending && signedIn);
  $('invitation-hint').textContent = signedIn
    ? 'Accept it to join the tenant with the roles it grants. (A tenant with isolated users is joined by signing up with the link instead: log out first.)'
    : 'Sign up below to join with a new account, or log in and accept it.';
  $('signup-submit').textContent = pending ? 'Sign up and join' : 'Create account';
  // the invitation names its tenant; a slug as well could only contradict it
  $('signup-tenant').hidden = pending;
}

/** Drops the token from the page once it is used or dismissed. */
function forgetInvitation() {
  invitationToken = null;
  showInvitation(myId !== null);
}

async function refresh() {
  let me = null;
  try {
    me = await call('GET', '/api/me');
  } catch (problem) {
    if (problem.code !== 'unauthenticated') throw problem;
  }
  $('signed-out').hidden = me !== null;
  $('signed-in').hidden = me === null;
  $('status').textContent = me ? `Signed in as ${me.user.email}` : 'Signed out';
  myId = me?.user.id ?? null;
  document.dispatchEvent(new CustomEvent('portcullis:refreshed', { detail: { signedIn: me !== null } }));
  showInvitation(me !== null);
  if (!me) {
    closeTenantPanels();
    return;
  }

  const facts = [
    ['Email', `${me.user.email}${me.user.emailVerifiedAt ? ' (verified)' : ' (not verified)'}`],
    ['Name', me.user.name ?? '—'],
    ['User id', me.user.id],
    ['Member since', when(me.user.createdAt)],
    ['Session expires', when(me.session.expiresAt)],
  ];
  $('verify-email').hidden = me.user.emailVerifiedAt !== null;
  $('me').replaceChildren(
    ...facts.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = term;
      dd.textContent = value;
      return [dt, dd];
    }),
  );
  await Promise.all([loadSessions(), loadTenants(), mfaCard.load()]);
}

async function loadSessions() {
  const { items } = await call('GET', '/auth/sessions');
  $('sessions').replaceChildren(
    ...items.map((session) => {
      const where = [describeDevice(session.userAgent), session.ip ?? 'unknown IP'].join(' · ');
      const li = item(
        `${session.current ? 'This session' : 'Session'} — ${where} — started ${when(session.createdAt)}, last seen ${when(session.lastSeenAt)}`,
        button('Revoke', async () => {
          await call('DELETE', `/auth/sessions/${encodeURIComponent(session.id)}`);
          await (session.current ? refresh() : loadSessions());
        }),
      );
      if (session.current) li.className = 'current';
      li.title = session.userAgent ?? '';
      return li;
    }),
  );
}

async function loadTenants() {
  const { items } = await call('GET', '/auth/tenants');
  const [lastOwner, managesKeys] = await Promise.all([
    Promise.all(items.map(isLastOwner)),
    Promise.all(items.map(mayManageApiKeys)),
  ]);
  $('tenants').replaceChildren(
    ...(items.length === 0
      ? [item('No tenants yet.')]
      : items.map((tenant, index) => {
          const leave = button('Leave', () => leaveTenant(tenant));
          if (lastOwner[index]) {
            leave.disabled = true;
            leave.title = 'You are its only owner: make another member an owner first';
          }
          return item(
            `${tenant.name} (${tenant.slug})`,
            button('Members', () => showMembers(tenant)),
            button('Documents', () => showDocuments(tenant)),
            button('API clients', () => apiClients.show(tenant)),
            // only for members who may manage keys (api_key.manage: owners and admins)
            ...(managesKeys[index] ? [button('API keys', () => apiKeys.show(tenant))] : []),
            leave,
          );
        })),
  );
}

/**
 * Whether the signed-in user is the tenant's only owner (who cannot leave: 409 `last_owner`). A
 * hint only, from the members list; one who may not read it is no owner.
 */
async function isLastOwner(tenant) {
  try {
    const { items } = await call('GET', tenantPath(tenant, 'members?limit=200'));
    const owners = items.filter((member) => member.roles.includes('owner'));
    return owners.length === 1 && owners[0].user.id === myId;
  } catch {
    return false;
  }
}

const tenantPath = (tenant, rest) => `/auth/tenants/${encodeURIComponent(tenant.id)}/${rest}`;

/** Leaving needs no permission, but the last owner cannot leave (409 `last_owner`). */
async function leaveTenant(tenant) {
  if (!confirm(`Leave ${tenant.name}? You will need a new invitation to come back.`)) return;
  await call('DELETE', tenantPath(tenant, `members/${encodeURIComponent(myId)}`));
  if (membersTenant?.id === tenant.id) $('members-panel').hidden = true;
  if (documentsTenant?.id === tenant.id) $('documents-panel').hidden = true;
  // a user of the tenant's own (isolated) pool has just ended their session too: refresh shows it
  await refresh();
}

/** Opens the administration of a tenant: members, invitations, policies. */
async function showMembers(tenant) {
  membersTenant = tenant;
  $('members-title').textContent = `Members of ${tenant.name}`;
  $('invite-form').reset();
  $('invitation-created').hidden = true;
  const { items: roles } = await call('GET', tenantPath(tenant, 'roles'));
  $('invite-roles').replaceChildren(
    ...roles.map((role) =>
      Object.assign(element('option', `${role.key} — ${role.name}`), { value: role.key }),
    ),
  );
  await loadMembers(roles);
  $('members-panel').hidden = false;
  await Promise.all([loadInvitations(), loadPolicies()]);
}

async function loadMembers(roles) {
  const tenant = membersTenant;
  const { items } = await call('GET', tenantPath(tenant, 'members?limit=200'));
  $('members').replaceChildren(...items.map((member) => memberItem(tenant, member, roles)));
}

/** A member with their roles as checkboxes, Save roles and Remove (what the server allows decides). */
function memberItem(tenant, member, roles) {
  const path = tenantPath(tenant, `members/${encodeURIComponent(member.user.id)}`);
  const you = member.user.id === myId;
  const choices = element('span');
  choices.className = 'role-choices';
  for (const role of roles) {
    const box = Object.assign(element('input'), {
      type: 'checkbox',
      value: role.key,
      checked: member.roles.includes(role.key),
    });
    const label = element('label');
    label.append(box, role.key);
    choices.append(label);
  }
  const save = button('Save roles', async () => {
    const picked = [...choices.querySelectorAll('input:checked')].map((box) => box.value);
    await call('PATCH', path, { roles: picked });
    await loadMembers(roles);
  });
  const li = item(`${member.user.email}${you ? ' (you)' : ''} — ${member.roles.join(', ')}`, choices, save);
  if (!you) {
    li.append(
      button('Remove', async () => {
        if (!confirm(`Remove ${member.user.email} from ${tenant.name}?`)) return;
        await call('DELETE', path);
        await loadMembers(roles);
      }),
    );
  }
  return li;
}

/**
 * The tenant's invitations, pending ones with Revoke. Listing them needs `invitation.manage`: a
 * member without it sees a note instead of the form.
 */
async function loadInvitations() {
  const tenant = membersTenant;
  let items;
  try {
    ({ items } = await call('GET', tenantPath(tenant, 'invitations?limit=200')));
  } catch (problem) {
    if (problem?.code !== 'forbidden') throw problem;
    $('invitations-section').hidden = true;
    $('invitations-denied').hidden = false;
    return;
  }
  $('invitations-section').hidden = false;
  $('invitations-denied').hidden = true;
  const now = Date.now();
  $('invitations').replaceChildren(
    ...(items.length === 0
      ? [item('No invitations yet.')]
      : items.map((invitation) => {
          const expired = new Date(invitation.expiresAt).getTime() <= now;
          const state = invitation.status === 'pending' && expired ? 'expired' : invitation.status;
          const li = item(
            `${invitation.email ?? 'open link'} — ${invitation.roles.join(', ')} · used ${invitation.uses} of ${invitation.maxUses} · ${state} · expires ${when(invitation.expiresAt)}`,
          );
          if (state === 'pending') {
            li.append(
              button('Revoke', async () => {
                await call('DELETE', tenantPath(tenant, `invitations/${encodeURIComponent(invitation.id)}`));
                await loadInvitations();
              }),
            );
          }
          return li;
        })),
  );
}

/** The tenant's stored policies, read only (listing them needs `policy.manage`). */
async function loadPolicies() {
  let items;
  try {
    ({ items } = await call('GET', tenantPath(membersTenant, 'policies')));
  } catch (problem) {
    if (problem?.code !== 'forbidden') throw problem;
    $('policies').replaceChildren(item('Listing them needs policy.manage (owners and admins).'));
    return;
  }
  $('policies').replaceChildren(
    ...(items.length === 0
      ? [item('None: only the two above apply here.')]
      : items.map((policy) => {
          const li = item(
            `${policy.effect} ${policy.actions.join(', ')} on ${policy.resource}${policy.description ? ` — ${policy.description}` : ''}`,
          );
          if (policy.condition !== undefined)
            li.append(element('pre', JSON.stringify(policy.condition, null, 2)));
          return li;
        })),
  );
}

function closeTenantPanels() {
  $('members-panel').hidden = true;
  $('documents-panel').hidden = true;
  membersTenant = null;
  documentsTenant = null;
  apiClients.close();
  apiKeys.close();
}

const documentsPath = (tenant, id) =>
  `/api/tenants/${encodeURIComponent(tenant.id)}/documents${id ? `/${encodeURIComponent(id)}` : ''}`;

async function showDocuments(tenant) {
  documentsTenant = tenant;
  $('documents-title').textContent = `Documents of ${tenant.name}`;
  $('document-form').reset();
  await loadDocuments();
  $('documents-panel').hidden = false;
}

/**
 * Lists the documents the server lets this user read. Edit and Delete are shown on every
 * document: where `canUpdate`/`canDelete` say no they are marked, and trying shows the server's
 * 403 and its reason — the page only hints, the server decides.
 */
async function loadDocuments() {
  const tenant = documentsTenant;
  const { items, filter } = await call('GET', documentsPath(tenant));
  $('documents-filter').textContent = JSON.stringify(filter, null, 2);
  $('documents').replaceChildren(
    ...(items.length === 0
      ? [item('No documents you may read yet.')]
      : items.map((doc) => documentItem(tenant, doc))),
  );
}

function documentItem(tenant, doc) {
  const li = element('li');
  const meta = element(
    'span',
    ` · ${doc.visibility} · ${doc.ownerId === myId ? 'yours' : 'by a teammate'} · ${when(doc.updatedAt)}`,
  );
  meta.className = 'muted';
  const edit = button('Edit', () => li.replaceWith(editForm(tenant, doc)));
  const remove = button('Delete', async () => {
    await call('DELETE', documentsPath(tenant, doc.id));
    await loadDocuments();
  });
  markIfDenied(edit, doc.canUpdate);
  markIfDenied(remove, doc.canDelete);
  li.append(element('strong', doc.title), meta, element('p', doc.body), edit, remove);
  return li;
}

function markIfDenied(control, allowed) {
  if (allowed) return;
  control.classList.add('denied');
  control.title = 'Your roles and the policies do not allow this: try it to see the reason';
}

function editForm(tenant, doc) {
  const title = Object.assign(element('input'), { value: doc.title, required: true, maxLength: 200 });
  const text = Object.assign(element('textarea'), { value: doc.body, rows: 3 });
  const visibility = element('select');
  for (const value of ['tenant', 'private']) {
    visibility.append(Object.assign(element('option', value), { value, selected: value === doc.visibility }));
  }
  const form = element('form');
  form.className = 'document-edit';
  form.append(title, text, visibility, element('button', 'Save'), button('Cancel', loadDocuments));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      // sent as is (not through fields()), so the text can be emptied
      const changes = { title: title.value, body: text.value, visibility: visibility.value };
      await call('PATCH', documentsPath(tenant, doc.id), changes);
      await loadDocuments();
    }, form);
  });
  const li = element('li');
  li.append(form);
  return li;
}

function element(tag, text) {
  const created = document.createElement(tag);
  if (text !== undefined) created.textContent = text;
  return created;
}

/** Reads a form as an object, leaving out empty optional fields. */
function fields(form) {
  const values = Object.fromEntries(new FormData(form));
  for (const [key, value] of Object.entries(values)) if (value === '') delete values[key];
  return values;
}

function onSubmit(id, action) {
  $(id).addEventListener('submit', (event) => {
    event.preventDefault();
    run(() => action(event.target), event.target);
  });
}

onSubmit('signup-form', async (form) => {
  const input = fields(form);
  if (invitationToken !== null) {
    // the account is created and the invitation accepted in one step, or neither
    delete input.tenant;
    input.invitationToken = invitationToken;
  }
  await call('POST', '/auth/signup', input);
  form.reset();
  if (invitationToken !== null) forgetInvitation();
  await refresh();
});

onSubmit('login-form', async (form) => {
  const result = await call('POST', '/auth/login', fields(form));
  form.reset();
  if (result.mfaRequired) startSecondStep(result);
  else await refresh();
});

/** The password was right and the account has a second factor: no session until it is proven. */
function startSecondStep(challenge) {
  const forms = ['signup-form', 'login-form', 'email-link-form'];
  const showForms = (shown) => {
    for (const id of forms) $(id).hidden = !shown;
  };
  showForms(false);
  $('status').textContent = 'One more step to sign in';
  showMfaStep($('mfa-step'), challenge, {
    onSignedIn: () => {
      showForms(true);
      return run(refresh);
    },
    onProblem: (problem) => showError(problem, $('mfa-step').querySelector('form, div') ?? undefined),
    onCancel: () => {
      showForms(true);
      $('status').textContent = 'Signed out';
    },
  });
}

$('email-link-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const path = event.submitter?.value === 'magic' ? '/auth/magic-link' : '/auth/password/forgot';
  run(async () => {
    await call('POST', path, fields(form));
    form.reset();
    $('status').textContent = 'If the address has an account, a link is on its way (see the dev mailbox)';
  }, form);
});

$('verify-email').addEventListener('click', () =>
  run(async () => {
    await call('POST', '/auth/email/verification', {});
    $('status').textContent = 'A verification link is on its way (see the dev mailbox)';
  }, $('verify-email')),
);

$('copy-invitation-link').addEventListener('click', () =>
  run(async () => {
    await navigator.clipboard.writeText($('invitation-link').value);
    $('copy-invitation-link').textContent = 'Copied';
    setTimeout(() => {
      $('copy-invitation-link').textContent = 'Copy link';
    }, 2_000);
  }, $('copy-invitation-link')),
);

onSubmit('document-form', async (form) => {
  await call('POST', documentsPath(documentsTenant), fields(form));
  form.reset();
  await loadDocuments();
});

onSubmit('invite-form', async (form) => {
  const input = fields(form);
  input.roles = [...$('invite-roles').selectedOptions].map((option) => option.value);
  // an email invitation is used once: with another maxUses the server answers 400 and says why
  if (input.maxUses !== undefined) input.maxUses = Number(input.maxUses);
  const created = await call('POST', tenantPath(membersTenant, 'invitations'), input);
  // the same link Portcullis mails (invitations.acceptUrl + ?token=); the token is not shown again
  const link = new URL('/', location.origin);
  link.searchParams.set('token', created.token);
  $('invitation-link').value = link.href;
  $('copy-invitation-link').textContent = 'Copy link';
  $('invitation-created').hidden = false;
  form.reset();
  await loadInvitations();
});

onSubmit('tenant-form', async (form) => {
  await call('POST', '/auth/tenants', fields(form));
  form.reset();
  await loadTenants();
});

$('accept-invitation').addEventListener('click', () =>
  run(async () => {
    const membership = await call('POST', '/auth/invitations/accept', { token: invitationToken });
    forgetInvitation();
    await loadTenants();
    $('status').textContent = `Joined a tenant as ${membership.roles.join(', ')}: open it below`;
  }, $('accept-invitation')),
);

$('dismiss-invitation').addEventListener('click', forgetInvitation);

$('logout').addEventListener('click', () =>
  run(async () => {
    await call('POST', '/auth/logout');
    await refresh();
  }),
);

$('revoke-others').addEventListener('click', () =>
  run(async () => {
    const { revoked } = await call('POST', '/auth/sessions/revoke-others');
    $('status').textContent = `Revoked ${revoked} other session${revoked === 1 ? '' : 's'}`;
    await loadSessions();
  }, $('revoke-others')),
);

const mfaCard = initMfaCard({ run });
const apiClients = initApiClientsCard({ run });
const apiKeys = initApiKeysCard({ run });

run(refresh);

// for the credential scripts (passkeys.js): the same fetch, error display and refresh
export { call, refresh, run, startSecondStep };
