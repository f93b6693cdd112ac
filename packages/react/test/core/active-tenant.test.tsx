import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useTenant } from '../../src/index.js';
import { createTestServer, PASSWORD, renderWithPortcullis, signUp } from '../support/test-server.js';

function TenantProbe() {
  const { tenantId, setActiveTenant } = useTenant();
  return (
    <>
      <p>active: {tenantId ?? 'none'}</p>
      <button type="button" onClick={() => setActiveTenant('t-chosen')}>
        choose
      </button>
    </>
  );
}

describe('the active tenant kept by the provider', () => {
  // review finding: the next user started in the previous user's tenant, and every tenant hook
  // asked the server about a tenant that user may not belong to
  it('is forgotten when another user signs in', async () => {
    const server = createTestServer();
    const browser = server.browser();
    await signUp(browser.client(), 'bob@example.com');
    await browser.client().signOut();
    const client = browser.client();
    await signUp(client, 'ada@example.com');
    renderWithPortcullis(<TenantProbe />, { client });
    await act(async () => screen.getByRole('button', { name: 'choose' }).click());
    expect(screen.getByText('active: t-chosen')).toBeTruthy();
    await act(() => client.signOut());
    await act(() => client.signIn({ email: 'bob@example.com', password: PASSWORD }));
    await waitFor(() => expect(screen.getByText('active: none')).toBeTruthy());
  });
});
