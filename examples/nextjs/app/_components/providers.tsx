'use client';

import { createPortcullisClient, type SessionData } from '@portcullis/client';
import { withWebAuthn } from '@portcullis/client/webauthn';
import { PortcullisProvider } from '@portcullis/react';
import { useParams, usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useCallback, useState } from 'react';
import { switchedOrgPath } from '@/lib/org-paths';

/**
 * The client and the provider, once per browser tab. The active organization is the URL's
 * (`/orgs/[tenantId]/…`); switching it navigates. On pages outside an organization (the account
 * pages) the last one stays active, so the switcher keeps showing it.
 */
export function Providers({
  initialSession,
  children,
}: {
  initialSession: SessionData | null;
  children: ReactNode;
}) {
  // withWebAuthn: the passkey ceremonies the sign-in, security and step-up components use
  const [client] = useState(() => withWebAuthn(createPortcullisClient({ baseUrl: '/api/auth' })));
  const router = useRouter();
  const pathname = usePathname();
  const urlTenantId = useParams<{ tenantId?: string }>().tenantId ?? null;
  const [lastTenantId, setLastTenantId] = useState(urlTenantId);
  if (urlTenantId && urlTenantId !== lastTenantId) setLastTenantId(urlTenantId);

  const onActiveTenantChange = useCallback(
    (tenantId: string | null) => router.push(tenantId ? switchedOrgPath(pathname, tenantId) : '/dashboard'),
    [router, pathname],
  );

  return (
    <PortcullisProvider
      client={client}
      initialSession={initialSession}
      activeTenantId={urlTenantId ?? lastTenantId}
      onActiveTenantChange={onActiveTenantChange}
    >
      {children}
    </PortcullisProvider>
  );
}
