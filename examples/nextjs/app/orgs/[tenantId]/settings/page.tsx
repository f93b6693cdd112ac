import type { Metadata } from 'next';
import { OrgSettingsScreen } from '../../../_components/org-screens';

export const metadata: Metadata = { title: 'Settings' };

export default async function OrgSettingsPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  return (
    <>
      <header className="app-page-header">
        <h1>Settings</h1>
      </header>
      <OrgSettingsScreen tenantId={tenantId} />
    </>
  );
}
