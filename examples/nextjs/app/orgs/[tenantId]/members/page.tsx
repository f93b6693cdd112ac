import type { Metadata } from 'next';
import { MembersScreen } from '../../../_components/org-screens';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  return <MembersScreen tenantId={tenantId} />;
}
