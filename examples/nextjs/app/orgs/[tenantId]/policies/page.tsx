import type { Metadata } from 'next';
import { PoliciesScreen } from '../../../_components/org-screens';

export const metadata: Metadata = { title: 'Policies' };

export default async function PoliciesPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  return <PoliciesScreen tenantId={tenantId} />;
}
