/** The pages of one organization, under `/orgs/[tenantId]/…`, in the order the sidebar shows them. */
export const ORG_SECTIONS = [
  { segment: 'dashboard', label: 'Overview' },
  { segment: 'members', label: 'Members' },
  { segment: 'roles', label: 'Roles' },
  { segment: 'policies', label: 'Policies' },
  { segment: 'api-keys', label: 'API keys' },
  { segment: 'settings', label: 'Settings' },
] as const;

export type OrgSection = (typeof ORG_SECTIONS)[number]['segment'];

/** `/orgs/<tenantId>/<section>`. */
export function orgPath(tenantId: string, section: OrgSection = 'dashboard'): string {
  return `/orgs/${encodeURIComponent(tenantId)}/${section}`;
}

/**
 * The same page in another organization: switching from Acme's members lands on Globex's
 * members, and from a page outside any organization on the new one's overview.
 */
export function switchedOrgPath(pathname: string, tenantId: string): string {
  const section = /^\/orgs\/[^/]+\/([^/]+)/.exec(pathname)?.[1];
  const known = ORG_SECTIONS.find((s) => s.segment === section);
  return orgPath(tenantId, known?.segment ?? 'dashboard');
}

/** A `next=` value worth following: a path of this site, never `//evil.example` or a URL. */
export function localPath(value: string | string[] | undefined | null): string | null {
  const path = Array.isArray(value) ? value[0] : value;
  return path && /^\/(?![/\\])/.test(path) ? path : null;
}

/** The sign-in page that brings the visitor back to `path` afterwards. */
export function signInPath(path: string): string {
  return `/sign-in?next=${encodeURIComponent(path)}`;
}
