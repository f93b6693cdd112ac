// The whole client: plain fetch against /auth/*, /api/me and /api/tenants/:id/documents. The session lives in an HttpOnly
// cookie, so this script never sees a token; fetch sends the cookie (same origin) and an Origin
// header on every POST/DELETE, which is what Portcullis's CSRF check looks for.

const $ = (id) => document.getElementById(id);

/** Calls the server; a problem+json answer is thrown as the problem object. */
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw data ?? { title: `HTTP ${response.status}` };
  return data;
}

/**
 * A denial's reason (the decision's `reason`, in 403 problems from requirePermission) in words.
 * Names the deciding policy: fine in a demo; say less in an app whose rules are secret.
 */
function describeReason(reason) {
  switch (reason.kind) {
    case 'deny_policy':
      return `denied by policy "${reason.id}"`;
    case 'missing_attribute':
      return `policy "${reason.id}" needs an attribute this request lacks`;
    default:
      return 'none of your roles grants it, and no policy allows it here';
  }
}

function showError(problem) {
  const box = $('error');
  box.replaceChildren();
  if (!problem) {
    box.hidden = true;
    return;
  }
  const title = document.createElement('strong');
  title.textContent = problem.title ?? 'Something went wrong';
  box.append(title);
  // validation problems list each field; their detail repeats the same text
  if (problem.reason) box.append(`: ${describeReason(problem.reason)}`);
  else if (problem.detail && !problem.issues?.length) box.append(`: ${problem.detail}`);
  if (problem.issues?.length) {
    const list = document.createElement('ul');
    for (const issue of problem.issues) list.append(item(`${issue.path}: ${issue.message}`));
    box.append(list);
  }
  box.hidden = false;
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
  b.addEventListener('click', () => run(onClick));
  return b;
}

/** Runs an action, showing its problem (if any) in the page. */
async function run(action) {
  showError(null);
  try {
    await action();
  } catch (problem) {
    showError(problem instanceof Error ? { title: problem.message } : problem);
    // the session was revoked elsewhere or expired: show the signed-out page
    if (problem?.code === 'unauthenticated') await refresh().catch(() => {});
  }
}

const when = (iso) => new Date(iso).toLocaleString();

/** The signed-in user's id, and the tenant whose documents are shown (null: none). */
let myId = null;
let documentsTenant = null;

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
  if (!me) {
    closeTenantPanels();
    return;
  }

  const facts = [
    ['Email', me.user.email],
    ['Name', me.user.name ?? '—'],
    ['User id', me.user.id],
    ['Member since', when(me.user.createdAt)],
    ['Session expires', when(me.session.expiresAt)],
  ];
  $('me').replaceChildren(
    ...facts.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = term;
      dd.textContent = value;
      return [dt, dd];
    }),
  );
  await Promise.all([loadSessions(), loadTenants()]);
}

async function loadSessions() {
  const { items } = await call('GET', '/auth/sessions');
  $('sessions').replaceChildren(
    ...items.map((session) => {
      const where = [session.userAgent ?? 'unknown client', session.ip ?? 'unknown IP'].join(' · ');
      const li = item(
        `${session.current ? 'This session' : 'Session'} — started ${when(session.createdAt)}, last seen ${when(session.lastSeenAt)} (${where})`,
        button('Revoke', async () => {
          await call('DELETE', `/auth/sessions/${encodeURIComponent(session.id)}`);
          await (session.current ? refresh() : loadSessions());
        }),
      );
      if (session.current) li.className = 'current';
      return li;
    }),
  );
}

async function loadTenants() {
  const { items } = await call('GET', '/auth/tenants');
  $('tenants').replaceChildren(
    ...(items.length === 0
      ? [item('No tenants yet.')]
      : items.map((tenant) =>
          item(
            `${tenant.name} (${tenant.slug})`,
            button('Members', () => showMembers(tenant)),
            button('Documents', () => showDocuments(tenant)),
          ),
        )),
  );
}

async function showMembers(tenant) {
  const { items } = await call('GET', `/auth/tenants/${encodeURIComponent(tenant.id)}/members`);
  $('members-title').textContent = `Members of ${tenant.name}`;
  $('members').replaceChildren(
    ...items.map((member) => item(`${member.user.email} — ${member.roles.join(', ')}`)),
  );
  $('members-panel').hidden = false;
}

function closeTenantPanels() {
  $('members-panel').hidden = true;
  $('documents-panel').hidden = true;
  documentsTenant = null;
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
    });
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
    run(() => action(event.target));
  });
}

onSubmit('signup-form', async (form) => {
  await call('POST', '/auth/signup', fields(form));
  form.reset();
  await refresh();
});

onSubmit('login-form', async (form) => {
  await call('POST', '/auth/login', fields(form));
  form.reset();
  await refresh();
});

onSubmit('document-form', async (form) => {
  await call('POST', documentsPath(documentsTenant), fields(form));
  form.reset();
  await loadDocuments();
});

onSubmit('tenant-form', async (form) => {
  await call('POST', '/auth/tenants', fields(form));
  form.reset();
  await loadTenants();
});

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
  }),
);

run(refresh);
