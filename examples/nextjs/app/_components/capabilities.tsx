'use client';

import { PermissionGate, useUser } from '@portcullis/react';
import Link from 'next/link';
import { ORG_SECTIONS, type OrgSection, orgPath } from '@/lib/org-paths';

const SECTION_LABEL = Object.fromEntries(
  ORG_SECTIONS.map((s) => [s.segment, s.label.toLowerCase()]),
) as Record<OrgSection, string>;

const CAPABILITIES: { action: string; title: string; allowed: string; section: OrgSection }[] = [
  {
    action: 'invitation.manage',
    title: 'Invite members',
    allowed: 'Invite people by email or with a link, and revoke pending invitations.',
    section: 'members',
  },
  {
    action: 'member.update',
    title: 'Change roles',
    allowed: 'Give members other roles.',
    section: 'members',
  },
  {
    action: 'role.manage',
    title: 'Manage roles',
    allowed: 'Create roles from the permission catalog and edit custom ones.',
    section: 'roles',
  },
  {
    action: 'policy.manage',
    title: 'Write policies',
    allowed: 'Allow or deny actions with conditions on users, resources and context.',
    section: 'policies',
  },
  {
    action: 'api_key.manage',
    title: 'Manage API keys',
    allowed: 'Create, rotate and revoke keys for your services.',
    section: 'api-keys',
  },
  {
    action: 'tenant.update',
    title: 'Organization settings',
    allowed: 'Rename the organization.',
    section: 'settings',
  },
];

/** The overview's cards: one PermissionGate each, with what to do when allowed and a hint when not. */
export function Capabilities({ tenantId }: { tenantId: string }) {
  const user = useUser();
  return (
    <>
      <p>
        Signed in as <strong>{user?.name || user?.email}</strong>.
      </p>
      <ul className="app-capabilities" aria-label="What you can do">
        {CAPABILITIES.map((c) => (
          <li key={c.action} className="pc-card app-capability" data-action={c.action}>
            <h2>{c.title}</h2>
            <PermissionGate
              tenantId={tenantId}
              action={c.action}
              loading={<p className="app-muted">Checking…</p>}
              fallback={
                <p className="app-muted" data-allowed="false">
                  Your role does not include <code>{c.action}</code>. Ask an owner or admin.
                </p>
              }
            >
              <p data-allowed="true">{c.allowed}</p>
              <Link href={orgPath(tenantId, c.section)}>Go to {SECTION_LABEL[c.section]}</Link>
            </PermissionGate>
          </li>
        ))}
      </ul>
    </>
  );
}
