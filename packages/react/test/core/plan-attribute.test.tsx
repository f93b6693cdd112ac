import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PermissionGate, useOrganizations, useTenant } from '../../src/index.js';
import { createTestServer } from '../support/test-server.js';
import { failOnConsoleErrors, probe, renderPage, signedInUser } from './support.js';

failOnConsoleErrors();

// docs/react.md, "Plans are tenant attributes": the policy and the gate exactly as written there
const proOnlyExports = {
  effect: 'deny' as const,
  actions: ['report.export'],
  resource: 'report',
  condition: { ne: [{ ref: 'resource.plan' }, 'pro'] },
  description: 'Exports are a Pro feature',
};

function ExportButton() {
  const { tenant } = useTenant();
  if (!tenant) return null;
  return (
    <PermissionGate
      action="report.export"
      resource={{ type: 'report', plan: tenant.metadata.plan }}
      fallback={<a href="/billing">Upgrade to Pro to export</a>}
    >
      <button type="button">Export</button>
    </PermissionGate>
  );
}

describe('a plan as a tenant attribute', () => {
  it('hides a Pro feature on another plan, shows it once the plan is pro, and the server agrees', async () => {
    const server = createTestServer({ authorization: { permissions: { report: ['export', 'read'] } } });
    const { client, tenant, user } = await signedInUser('ada@example.com', server);
    await client.tenants.policies.create(tenant.id, proOnlyExports);
    await client.tenants.update(tenant.id, { metadata: { plan: 'free' } });

    const organizations = probe(() => useOrganizations());
    renderPage(client, [<ExportButton key="export" />, <organizations.Probe key="probe" />], {
      activeTenantId: tenant.id,
    });
    expect(await screen.findByText('Upgrade to Pro to export')).toBeTruthy();
    const asServer = (plan: unknown) =>
      server.auth.api.authorize({
        userId: user.id,
        tenantId: tenant.id,
        action: 'report.export',
        resource: { type: 'report', ...(plan === undefined ? {} : { plan }) },
      });
    expect((await asServer('free')).allowed).toBe(false);

    // the billing side moves the tenant to pro (here through the same tenant update)
    await act(() => organizations.result.current.update(tenant.id, { metadata: { plan: 'pro' } }));
    expect(await screen.findByRole('button', { name: 'Export' })).toBeTruthy();
    expect((await asServer('pro')).allowed).toBe(true);
    // forgetting to pass the plan never opens the feature: an unevaluable deny applies
    expect((await asServer(undefined)).allowed).toBe(false);
  });
});
