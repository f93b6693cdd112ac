import type { PortcullisClient } from '@portcullis/client';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PermissionGate, RoleGate, useAuth, useOrganizationMembers, useRoles } from '../../src/index.js';
import { renderWithPortcullis } from '../support/test-server.js';
import { adminWorld, requestsTo } from './admin-world.js';

afterEach(cleanup);

const hasBatchRoute = (client: PortcullisClient) =>
  typeof (client.tenants as { permissions?: { check?: unknown } }).permissions?.check === 'function';

// 15 built-in tenant permissions and 5 repeats: 20 gates asking 15 distinct questions
const ACTIONS = [
  'tenant.read',
  'tenant.update',
  'tenant.suspend',
  'tenant.delete',
  'member.read',
  'member.update',
  'member.remove',
  'member.attributes',
  'invitation.manage',
  'role.manage',
  'policy.manage',
  'api_key.manage',
  'client.manage',
  'audit.read',
  'webhook.manage',
];
const GATES = [...ACTIONS, ...ACTIONS.slice(0, 5)].map((action, index) => ({ action, id: `gate-${index}` }));

function TwentyGates() {
  return (
    <ul>
      {GATES.map(({ action, id }) => (
        <li key={id}>
          <PermissionGate action={action} fallback={<span>no {action}</span>} loading={<span>checking</span>}>
            <span>yes {action}</span>
          </PermissionGate>
        </li>
      ))}
    </ul>
  );
}

describe('PermissionGate', () => {
  it('shows its children to a member who may, its fallback to one who may not, and loading meanwhile', async () => {
    const world = await adminWorld();
    const viewer = await world.addMember(['viewer']);
    const gate = (
      <PermissionGate action="member.read" fallback={<p>not allowed</p>} loading={<p>checking</p>}>
        <p>allowed</p>
      </PermissionGate>
    );

    const owner = renderWithPortcullis(gate, {
      client: world.owner.client(),
      activeTenantId: world.tenantId,
    });
    expect(screen.getByText('checking')).toBeTruthy();
    expect(await screen.findByText('allowed')).toBeTruthy();
    owner.unmount();

    renderWithPortcullis(gate, { client: viewer.client, activeTenantId: world.tenantId });
    expect(await screen.findByText('not allowed')).toBeTruthy();
    expect(screen.queryByText('allowed')).toBeNull();
  });

  it('renders the fallback, not the children, when no tenant is active', async () => {
    const world = await adminWorld();
    renderWithPortcullis(
      <PermissionGate action="member.read" fallback={<p>pick an organization</p>}>
        <p>allowed</p>
      </PermissionGate>,
      { client: world.owner.client() },
    );
    expect(screen.getByText('pick an organization')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requestsTo(world.owner, /\/(authorize|permissions\/check)$/)).toBe(0);
  });

  it('asks the server once for twenty gates rendered together (one batch, or one authorize per distinct action), and not again on remount', async () => {
    const world = await adminWorld();
    const admin = await world.addMember(['admin']);
    const before = admin.browser.requests.length;
    const view = renderWithPortcullis(<TwentyGates />, {
      client: admin.client,
      activeTenantId: world.tenantId,
    });
    await waitFor(() => expect(screen.queryByText('checking')).toBeNull());

    // the default admin role holds every tenant permission but three (two of them asked twice)
    expect(screen.getAllByText('no tenant.suspend')).toHaveLength(2);
    expect(screen.getAllByText('no tenant.delete')).toHaveLength(2);
    expect(screen.getAllByText('no member.attributes')).toHaveLength(1);
    expect(screen.getAllByText('yes member.read')).toHaveLength(2);
    expect(screen.getAllByText(/^yes /)).toHaveLength(15);

    const asked = admin.browser.requests.slice(before);
    if (hasBatchRoute(admin.client)) {
      expect(asked.filter((r) => r.path.endsWith('/permissions/check'))).toHaveLength(1);
      expect(asked.filter((r) => r.path.endsWith('/authorize'))).toHaveLength(0);
    } else {
      // servers without the batch route: one authorize per distinct question, none repeated
      expect(asked.filter((r) => r.path.endsWith('/authorize'))).toHaveLength(ACTIONS.length);
    }

    view.unmount();
    const afterFirst = admin.browser.requests.length;
    renderWithPortcullis(<TwentyGates />, { client: admin.client, activeTenantId: world.tenantId });
    await waitFor(() => expect(screen.getAllByText(/^(yes|no) /)).toHaveLength(20));
    // a new provider has a new cache: one more round, never twenty
    const again = admin.browser.requests.slice(afterFirst);
    const checks = again.filter((r) => /\/(authorize|permissions\/check)$/.test(r.path)).length;
    expect(checks).toBe(hasBatchRoute(admin.client) ? 1 : ACTIONS.length);
  });

  it('keeps answering the other gates when one asks about a permission outside the catalog', async () => {
    const world = await adminWorld({ authorization: { permissions: { document: ['read'] } } });
    renderWithPortcullis(
      <>
        <PermissionGate action="document.publish" fallback={<p>no publish</p>}>
          <p>yes publish</p>
        </PermissionGate>
        <PermissionGate action="document.read" fallback={<p>no read</p>}>
          <p>yes read</p>
        </PermissionGate>
      </>,
      { client: world.owner.client(), activeTenantId: world.tenantId },
    );
    expect(await screen.findByText('yes read')).toBeTruthy();
    expect(await screen.findByText('no publish')).toBeTruthy();
    // batched: the refused check named by the server, the other asked again on its own
    if (hasBatchRoute(world.ownerClient)) expect(requestsTo(world.owner, /\/permissions\/check$/)).toBe(2);
  });

  it('answers the gates of a full batch when the next batch of the same render is refused as a whole', async () => {
    const world = await adminWorld({ authorization: { permissions: { document: ['read'] } } });
    // 50 distinct checks fill one batch request; the 51st (outside the catalog) is a second one
    const documents = Array.from({ length: 50 }, (_, index) => `doc-${index}`);
    renderWithPortcullis(
      <>
        {documents.map((id) => (
          <PermissionGate
            key={id}
            action="document.read"
            resource={{ type: 'document', id }}
            fallback={<p>no read</p>}
          >
            <p>yes read</p>
          </PermissionGate>
        ))}
        <PermissionGate action="document.publish" fallback={<p>no publish</p>}>
          <p>yes publish</p>
        </PermissionGate>
      </>,
      { client: world.owner.client(), activeTenantId: world.tenantId },
    );
    expect(await screen.findByText('no publish')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByText('yes read')).toHaveLength(50));
    expect(screen.queryByText('no read')).toBeNull();
  });

  it('hides what a role change took away, in the same UI that changed it', async () => {
    const world = await adminWorld();
    // a custom role carrying role.manage and api_key.manage, held by a member beside "member"
    await world.ownerClient.tenants.roles.create(world.tenantId, {
      key: 'keeper',
      name: 'Keeper',
      permissions: ['role.manage', 'api_key.manage'],
    });
    const keeper = await world.addMember(['member', 'keeper']);

    let roles: ReturnType<typeof useRoles> | undefined;
    function Page() {
      roles = useRoles();
      return (
        <PermissionGate action="api_key.manage" fallback={<p>no keys</p>}>
          <p>manage keys</p>
        </PermissionGate>
      );
    }
    renderWithPortcullis(<Page />, { client: keeper.client, activeTenantId: world.tenantId });
    expect(await screen.findByText('manage keys')).toBeTruthy();
    await waitFor(() => expect(roles?.roles.length).toBeGreaterThan(0));
    const role = roles?.roles.find((candidate) => candidate.key === 'keeper');
    expect(role).toBeDefined();

    await act(() => roles?.update(role?.id as string, { permissions: ['role.manage'] }) as Promise<unknown>);
    expect(await screen.findByText('no keys')).toBeTruthy();
  });

  it('follows a member role change made through useOrganizationMembers', async () => {
    const world = await adminWorld();
    const admin = await world.addMember(['admin']);
    let members: ReturnType<typeof useOrganizationMembers> | undefined;
    function Page() {
      members = useOrganizationMembers();
      return (
        <PermissionGate action="invitation.manage" fallback={<p>cannot invite</p>}>
          <p>can invite</p>
        </PermissionGate>
      );
    }
    renderWithPortcullis(<Page />, { client: admin.client, activeTenantId: world.tenantId });
    expect(await screen.findByText('can invite')).toBeTruthy();
    await act(() => members?.update(admin.user.id, { roles: ['member'] }) as Promise<void>);
    expect(await screen.findByText('cannot invite')).toBeTruthy();
  });
});

describe('RoleGate', () => {
  it('shows its children to a holder of one of the roles, its fallback to others', async () => {
    const world = await adminWorld();
    const member = await world.addMember(['member']);
    const gate = (
      <RoleGate roles={['owner', 'admin']} fallback={<p>not staff</p>} loading={<p>checking roles</p>}>
        <p>staff</p>
      </RoleGate>
    );

    const owner = renderWithPortcullis(gate, {
      client: world.owner.client(),
      activeTenantId: world.tenantId,
    });
    expect(await screen.findByText('staff')).toBeTruthy();
    owner.unmount();

    renderWithPortcullis(gate, { client: member.client, activeTenantId: world.tenantId });
    expect(await screen.findByText('not staff')).toBeTruthy();
  });

  it("reads a viewer's own roles from the tenant list, without the member list they may not read", async () => {
    const world = await adminWorld();
    const viewer = await world.addMember(['viewer']);
    renderWithPortcullis(
      <RoleGate roles={['viewer']} fallback={<p>not a viewer</p>}>
        <p>viewer</p>
      </RoleGate>,
      { client: viewer.client, activeTenantId: world.tenantId },
    );
    expect(await screen.findByText('viewer')).toBeTruthy();
    expect(requestsTo(viewer.browser, /\/members$/)).toBe(0);
  });

  it('follows a change of my own roles made through useOrganizationMembers', async () => {
    const world = await adminWorld();
    const admin = await world.addMember(['admin']);
    let members: ReturnType<typeof useOrganizationMembers> | undefined;
    function Page() {
      members = useOrganizationMembers();
      return (
        <RoleGate roles={['admin']} fallback={<p>no longer admin</p>}>
          <p>admin</p>
        </RoleGate>
      );
    }
    renderWithPortcullis(<Page />, { client: admin.client, activeTenantId: world.tenantId });
    expect(await screen.findByText('admin')).toBeTruthy();
    await act(() => members?.update(admin.user.id, { roles: ['member'] }) as Promise<void>);
    expect(await screen.findByText('no longer admin')).toBeTruthy();
  });

  it('treats a non-member as holding no role', async () => {
    const world = await adminWorld();
    const stranger = world.server.browser();
    const client = stranger.client();
    await client.signUp({ email: 'stranger@example.com', password: 'correct horse battery staple' });
    renderWithPortcullis(
      <RoleGate roles={['owner', 'admin', 'member', 'viewer']} fallback={<p>outsider</p>}>
        <p>insider</p>
      </RoleGate>,
      { client, activeTenantId: world.tenantId },
    );
    expect(await screen.findByText('outsider')).toBeTruthy();
    expect(screen.queryByText('insider')).toBeNull();
  });
});

describe('the provider (regression)', () => {
  it('keeps a list asked for before the first session answer (a cache emptied on that answer once left it loading for ever)', async () => {
    const world = await adminWorld();
    function Roles() {
      const { user } = useAuth();
      const { roles, isLoading } = useRoles();
      return <p>{isLoading ? 'loading roles' : `${roles.length} roles for ${user?.email}`}</p>;
    }
    // no initialSession: the session is fetched at mount, in the same tick as the roles
    renderWithPortcullis(<Roles />, { client: world.owner.client(), activeTenantId: world.tenantId });
    expect(await screen.findByText('4 roles for owner@example.com')).toBeTruthy();
  });
});
