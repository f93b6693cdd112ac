import type { Metadata } from 'next';
import { ApiKeysScreen } from '../../../_components/org-screens';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  return <ApiKeysScreen tenantId={tenantId} />;
}
