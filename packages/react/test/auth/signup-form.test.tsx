import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignupForm } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';
import { fill } from './auth-support.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

function fillForm(name: string, email: string, password: string) {
  fill('Name', name);
  fill('Email', email);
  fill('Password', password);
  fireEvent.click(screen.getByRole('button', { name: 'Sign up' }));
}

/** The alert the field labelled `label` points at with aria-describedby. */
function fieldAlert(label: string): HTMLElement | undefined {
  const input = screen.getByLabelText(label);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ');
  return (
    ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert') ??
    undefined
  );
}

describe('SignupForm', () => {
  it('creates the account with its name and signs the new user in', async () => {
    const server = createTestServer();
    const client = server.browser().client();
    const onSignedUp = vi.fn();
    renderWithPortcullis(<SignupForm onSignedUp={onSignedUp} />, { client, initialSession: null });

    fillForm('Ada Lovelace', 'ada@example.com', PASSWORD);

    await waitFor(() => expect(onSignedUp).toHaveBeenCalledTimes(1));
    expect(onSignedUp.mock.calls[0]![0].user).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });
    expect(client.session.getSnapshot().status).toBe('authenticated');
  });

  it('shows a taken email next to the Email field', async () => {
    const server = createTestServer();
    await signUp(server.browser().client(), 'ada@example.com');
    const onSignedUp = vi.fn();
    renderWithPortcullis(<SignupForm onSignedUp={onSignedUp} />, {
      client: server.browser().client(),
      initialSession: null,
    });

    fillForm('Ada', 'ada@example.com', PASSWORD);

    await waitFor(() => expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true'));
    expect(fieldAlert('Email')?.textContent).toBeTruthy();
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBeNull();
    expect(onSignedUp).not.toHaveBeenCalled();
  });

  it("shows the password policy's refusal next to the Password field, in the server's words", async () => {
    const server = createTestServer();
    renderWithPortcullis(<SignupForm />, { client: server.browser().client(), initialSession: null });

    fillForm('Ada', 'ada@example.com', 'short');

    await waitFor(() => expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true'));
    expect(fieldAlert('Password')?.textContent).toMatch(/^Use at least \d+ characters/);
    expect(screen.getByRole('button', { name: 'Sign up' }).getAttribute('aria-describedby')).toBeNull();
  });

  it('says "check your email" when the server answers 202, for a new and a taken address alike', async () => {
    const server = createTestServer({ signup: { onEmailTaken: 'notify' } });
    await signUp(server.browser().client(), 'taken@example.com');
    for (const address of ['new@example.com', 'taken@example.com']) {
      const onSignedUp = vi.fn();
      const view = renderWithPortcullis(<SignupForm onSignedUp={onSignedUp} />, {
        client: server.browser().client(),
        initialSession: null,
      });
      fillForm('Someone', address, PASSWORD);
      expect(await screen.findByRole('heading', { name: 'Check your email' })).toBeTruthy();
      expect(screen.getByRole('status').textContent).toContain(address);
      expect(onSignedUp).not.toHaveBeenCalled();
      view.unmount();
    }
  });

  it('accepts an invitation with the new account', async () => {
    const server = createTestServer();
    const owner = server.browser().client();
    await signUp(owner, 'owner@example.com');
    const tenant = await owner.tenants.create({ name: 'Acme', slug: 'acme' });
    const { token } = await owner.tenants.invitations.create(tenant.id, {
      email: 'ada@example.com',
      roles: ['member'],
    });
    const client = server.browser().client();
    const onSignedUp = vi.fn();
    renderWithPortcullis(<SignupForm invitationToken={token} onSignedUp={onSignedUp} />, {
      client,
      initialSession: null,
    });

    fillForm('Ada', 'ada@example.com', PASSWORD);

    await waitFor(() => expect(onSignedUp).toHaveBeenCalledTimes(1));
    const { items } = await client.tenants.list();
    expect(items.map((t) => t.slug)).toEqual(['acme']);
  });
});
