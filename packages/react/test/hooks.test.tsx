import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PermissionGate, useAuth, useOrganizationMembers } from '../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from './support/test-server.js';

function Who() {
  const { status, user } = useAuth();
  return <p>{status === 'authenticated' ? `signed in as ${user?.email}` : status}</p>;
}

function Members() {
  const { items, isLoading } = useOrganizationMembers();
  if (isLoading) return <p>loading members</p>;
  return (
    <ul>
      {items.map((member) => (
        <li key={member.userId}>{member.user.email}</li>
      ))}
    </ul>
  );
}

describe('hooks against the real handler', () => {
  it('reads the session once for many components, and follows sign-out', async () => {
    const server = createTestServer();
    const browser = server.browser();
    const client = browser.client();
    await signUp(browser.client(), 'ada@example.com');
    renderWithPortcullis(
      <>
        <Who />
        <Who />
      </>,
      { client },
    );
    await waitFor(() => expect(screen.getAllByText('signed in as ada@example.com')).toHaveLength(2));
    expect(browser.count('/session')).toBe(1);
    await act(() => client.signOut());
    expect(screen.getAllByText('unauthenticated')).toHaveLength(2);
  });

  it('lists the active tenant members and gates on permissions', async () => {
    const server = createTestServer();
    const browser = server.browser();
    const client = browser.client();
    await signUp(client, 'grace@example.com');
    const tenant = await client.tenants.create({ name: 'Acme', slug: 'acme' });
    renderWithPortcullis(
      <>
        <Members />
        <PermissionGate action="member.invite" fallback={<p>no invite</p>}>
          <p>can invite</p>
        </PermissionGate>
        <PermissionGate action="tenant.delete" fallback={<p>no delete</p>}>
          <p>can delete</p>
        </PermissionGate>
      </>,
      { client, activeTenantId: tenant.id },
    );
    expect(await screen.findByText('grace@example.com')).toBeTruthy();
    expect(await screen.findByText('can invite')).toBeTruthy();
  });
});
