import type { ReactNode } from 'react';
import { orgPath } from '@/lib/org-paths';
import { requireMembership } from '@/lib/page-session';
import { OrgNav } from '../../_components/org-nav';

/**
 * Every page of one organization: checked once on the server (signed in, and a member: a 404
 * otherwise), with the sidebar of its sections. The tenant id in the URL is the active tenant of
 * the provider (providers.tsx), so two tabs can show two organizations.
 */
export default async function OrgLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ tenantId: string }>;
}) {
  const { tenantId } = await params;
  const { tenant } = await requireMembership(tenantId, orgPath(tenantId));
  return (
    <div className="app-org">
      <OrgNav tenantId={tenant.id} tenantName={tenant.name} />
      <div className="app-org-content">{children}</div>
    </div>
  );
}
