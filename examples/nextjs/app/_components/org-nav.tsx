'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { ORG_SECTIONS, orgPath } from '@/lib/org-paths';

/** The sidebar of an organization's pages; the current one is marked for screen readers too. */
export function OrgNav({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const pathname = usePathname();
  return (
    <nav className="app-org-nav" aria-label={`${tenantName} sections`}>
      <p className="app-org-name">{tenantName}</p>
      <ul>
        {ORG_SECTIONS.map(({ segment, label }) => {
          const href = orgPath(tenantId, segment);
          return (
            <li key={segment}>
              <Link href={href} aria-current={pathname === href ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
