'use client';

import { CreateOrganization, OrganizationList } from '@portcullis/react';
import { useRouter } from 'next/navigation';
import { orgPath } from '@/lib/org-paths';

/**
 * /dashboard's client part: the user's organizations (opening one makes it the active tenant,
 * which navigates: providers.tsx) and creating one, which opens its overview.
 */
export function DashboardScreen() {
  const router = useRouter();
  return (
    <div className="app-grid-2">
      <OrganizationList
        labels={{ title: 'Your organizations', empty: 'No organization yet: create your first one.' }}
      />
      <CreateOrganization
        activate={false}
        className="pc-card"
        labels={{ title: 'New organization' }}
        onCreated={(tenant) => router.push(orgPath(tenant.id))}
      />
    </div>
  );
}
