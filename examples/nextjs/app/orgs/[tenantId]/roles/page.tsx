import type { Metadata } from 'next';
import { RolesScreen } from '../../../_components/org-screens';

export const metadata: Metadata = { title: 'Roles' };

export default async function RolesPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  return <RolesScreen tenantId={tenantId} />;
}
