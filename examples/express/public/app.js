// The whole client: plain fetch against /auth/* and /api/me. The session lives in an HttpOnly
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
  if (problem.detail && !problem.issues?.length) box.append(`: ${problem.detail}`);
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
  if (!me) return;

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

onSubmit('tenant-form', async (form) => {
  await call('POST', '/auth/tenants', fields(form));
  form.reset();
  await loadTenants();
});

$('logout').addEventListener('click', () =>
  run(async () => {
    await call('POST', '/auth/logout');
    $('members-panel').hidden = true;
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
