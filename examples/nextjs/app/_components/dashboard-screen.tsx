'use client';

import { Pending } from './pending';

/** /dashboard's client part: the organization list (open → its overview) and creating one. */
export function DashboardScreen() {
  // OrganizationList: onOpen(tenant) → router.push(orgPath(tenant.id));
  // CreateOrganization: onCreated(tenant) → router.push(orgPath(tenant.id))
  return (
    <div className="app-grid-2">
      <section className="pc-card" aria-labelledby="orgs-heading">
        <h2 id="orgs-heading">Your organizations</h2>
        <Pending component="OrganizationList" />
      </section>
      <section className="pc-card" aria-labelledby="create-org-heading">
        <h2 id="create-org-heading">New organization</h2>
        <Pending component="CreateOrganization" />
      </section>
    </div>
  );
}
