import type { PortcullisClient } from '@portcullis/client';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AcceptInvitation,
  OrganizationList,
  PermissionGate,
  useOrganizationMembers,
} from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';
import { ownerOf, verifyEmail } from './organization-fixtures.js';

/** The same client without the preview method: what a client older than the preview route is. */
function withoutPreview(client: PortcullisClient): PortcullisClient {
  return { ...client, invitations: { accept: client.invitations.accept } } as PortcullisClient;
}

const hasPreviewRoute = 'preview' in createTestServer().browser().client().invitations;

async function invitedVisitor(email = 'grace@example.com') {
  const server = createTestServer();
  const owner = await ownerOf(server, 'Acme', 'ada@example.com');
  const browser = server.browser();
  const client = browser.client();
  await signUp(client, email);
  return { server, owner, browser, client };
}

function MemberCount({ tenantId }: { tenantId: string }) {
  const members = useOrganizationMembers(tenantId);
  return <p>{members.error ? 'members: refused' : `members: ${members.items.length}`}</p>;
}

const acceptButton = () => screen.findByRole('button', { name: 'Accept invitation' });

describe('AcceptInvitation', () => {
  afterEach(cleanup);

  it('accepts as the signed-in user, makes the organization active and lists it', async () => {
    const { owner, client } = await invitedVisitor();
    const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, { roles: ['admin'] });
    const onAccepted = vi.fn();
    const onActiveTenantChange = vi.fn();
    renderWithPortcullis(
      <>
        <AcceptInvitation token={token} onAccepted={onAccepted} />
        <OrganizationList />
      </>,
      { client: withoutPreview(client), onActiveTenantChange },
    );
    expect(await screen.findByText('You have been invited to join an organization.')).toBeTruthy();
    await act(async () => {
      fireEvent.click(await acceptButton());
    });
    expect(await screen.findByText('You joined the organization.')).toBeTruthy();
    expect(onAccepted).toHaveBeenCalledWith(
      expect.objectContaining({ tenantId: owner.tenant.id, roles: ['admin'] }),
    );
    expect(onActiveTenantChange).toHaveBeenCalledWith(owner.tenant.id);
    expect(await screen.findByRole('button', { name: 'Acme' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Accept invitation' })).toBeNull();
  });

  it('gives signed-out visitors sign-in and sign-up links that carry the token back', async () => {
    const server = createTestServer();
    const owner = await ownerOf(server, 'Acme');
    const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, { roles: ['member'] });
    const visitor = server.browser();
    renderWithPortcullis(
      <AcceptInvitation
        token={token}
        signInHref="/sign-in?next=invite"
        signUpHref={(t) => `/sign-up/${t}`}
      />,
      { client: withoutPreview(visitor.client()) },
    );
    const signIn = await screen.findByRole('link', { name: 'Sign in' });
    expect(signIn.getAttribute('href')).toBe(`/sign-in?next=invite&token=${token}`);
    expect(screen.getByRole('link', { name: 'Sign up' }).getAttribute('href')).toBe(`/sign-up/${token}`);
    expect(screen.queryByRole('button', { name: 'Accept invitation' })).toBeNull();
    expect(visitor.count('/invitations/accept', 'POST')).toBe(0);
  });

  it('says an expired invitation has expired (410)', async () => {
    let now = Date.now();
    const server = createTestServer({ clock: { now: () => new Date(now) } });
    const owner = await ownerOf(server, 'Acme');
    const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, {
      roles: ['member'],
      expiresInSeconds: 60,
    });
    now += 120_000;
    const client = server.browser().client();
    await signUp(client, 'grace@example.com');
    renderWithPortcullis(<AcceptInvitation token={token} />, { client: withoutPreview(client) });
    const accept = await acceptButton();
    await act(async () => {
      fireEvent.click(accept);
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'This invitation has expired. Ask the person who invited you to send a new one.',
    );
    expect(accept.getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('says the invitation is for another address (403)', async () => {
    const { owner, client } = await invitedVisitor('carol@example.com');
    const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, {
      email: 'grace@example.com',
      roles: ['member'],
    });
    renderWithPortcullis(<AcceptInvitation token={token} />, { client: withoutPreview(client) });
    await act(async () => {
      fireEvent.click(await acceptButton());
    });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This invitation was sent to another email address. Sign in with that address to accept it.',
    );
  });

  it('says so when the user is already a member (409)', async () => {
    const server = createTestServer();
    const owner = await ownerOf(server, 'Acme');
    const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, { roles: ['member'] });
    renderWithPortcullis(<AcceptInvitation token={token} />, { client: withoutPreview(owner.client) });
    await act(async () => {
      fireEvent.click(await acceptButton());
    });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'You are already a member of this organization.',
    );
  });

  it('says an unknown token is not a valid invitation, and an empty one without asking', async () => {
    const { client, browser } = await invitedVisitor();
    const view = renderWithPortcullis(<AcceptInvitation token="not-a-real-token" />, {
      client: withoutPreview(client),
    });
    await act(async () => {
      fireEvent.click(await acceptButton());
    });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^This invitation link is not valid\./);
    view.unmount();

    const before = browser.requests.length;
    renderWithPortcullis(<AcceptInvitation token="" />, { client: withoutPreview(client) });
    expect(screen.getByRole('alert').textContent).toMatch(/carries no token/);
    expect(screen.queryByRole('button', { name: 'Accept invitation' })).toBeNull();
    expect(browser.requests.slice(before).filter((r) => r.path.includes('invitations'))).toEqual([]);
  });

  describe.skipIf(!hasPreviewRoute)('with the preview route', () => {
    it('shows the organization, the inviter, the roles and the bound address before accepting', async () => {
      const { server, owner, client } = await invitedVisitor();
      await verifyEmail(server, client, 'grace@example.com');
      const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, {
        email: 'grace@example.com',
        roles: ['admin'],
      });
      renderWithPortcullis(<AcceptInvitation token={token} />, { client });
      expect(await screen.findByRole('heading', { name: 'Join Acme' })).toBeTruthy();
      expect(screen.getByText('Owner of Acme invited you to join Acme as admin.')).toBeTruthy();
      expect(screen.getByText('This invitation is for grace@example.com.')).toBeTruthy();
      await act(async () => {
        fireEvent.click(await acceptButton());
      });
      expect(await screen.findByText('You joined Acme.')).toBeTruthy();
    });

    it('tells signed-in users with another address before they try, and says a revoked invitation was withdrawn', async () => {
      const { owner, client } = await invitedVisitor('carol@example.com');
      const bound = await owner.client.tenants.invitations.create(owner.tenant.id, {
        email: 'grace@example.com',
        roles: ['member'],
      });
      const view = renderWithPortcullis(<AcceptInvitation token={bound.token} />, { client });
      expect(
        await screen.findByText(
          'You are signed in with another address: sign in as grace@example.com to accept this invitation.',
        ),
      ).toBeTruthy();
      view.unmount();

      const revoked = await owner.client.tenants.invitations.create(owner.tenant.id, { roles: ['member'] });
      await owner.client.tenants.invitations.revoke(owner.tenant.id, revoked.id);
      renderWithPortcullis(<AcceptInvitation token={revoked.token} />, { client });
      expect((await screen.findByRole('alert')).textContent).toMatch(/^This invitation was withdrawn\./);
      expect(screen.queryByRole('button', { name: 'Accept invitation' })).toBeNull();
    });
  });

  // review finding: accepting refreshed only the tenant list; a permission answer cached while the
  // visitor was not a member kept saying no
  it("reads that organization's permissions and members again once joined", async () => {
    const { owner, client } = await invitedVisitor();
    const { token } = await owner.client.tenants.invitations.create(owner.tenant.id, { roles: ['member'] });
    renderWithPortcullis(
      <>
        <AcceptInvitation token={token} activate={false} />
        <PermissionGate tenantId={owner.tenant.id} action="member.read" fallback={<p>not a member</p>}>
          <p>may read the members</p>
        </PermissionGate>
        <MemberCount tenantId={owner.tenant.id} />
      </>,
      { client: withoutPreview(client) },
    );
    expect(await screen.findByText('not a member')).toBeTruthy();
    expect(await screen.findByText('members: refused')).toBeTruthy();
    await act(async () => {
      fireEvent.click(await acceptButton());
    });
    expect(await screen.findByText('You joined the organization.')).toBeTruthy();
    expect(await screen.findByText('may read the members')).toBeTruthy();
    expect(await screen.findByText('members: 2')).toBeTruthy();
  });
});
