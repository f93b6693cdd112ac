import type { Metadata } from 'next';
import { Capabilities } from '../../../_components/capabilities';

export const metadata: Metadata = { title: 'Overview' };

export default async function OrgDashboardPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  return (
    <>
      <header className="app-page-header">
        <h1>Overview</h1>
        <p className="app-muted">
          What your roles let you do in this organization. Each card is a <code>PermissionGate</code>: a UI
          hint from the authorize route; the server still decides on every request.
        </p>
      </header>
      <Capabilities tenantId={tenantId} />
    </>
  );
}
