import { redirect } from 'next/navigation';
import { orgPath } from '@/lib/org-paths';

export default async function OrgIndex({ params }: { params: Promise<{ tenantId: string }> }) {
  redirect(orgPath((await params).tenantId));
}
