import { type ReactNode, useId } from 'react';
import { PermissionGate } from '../shared/gates.js';

/** Props of {@link GatedCard}. */
export interface GatedCardProps {
  /** The permission the card's body needs; without it the card shows `noAccess`. */
  action: string;
  tenantId: string | undefined;
  heading: ReactNode;
  noAccess: ReactNode;
  loading: ReactNode;
  className: string;
  children: ReactNode;
}

/**
 * The shell of an administration component: a titled card whose body renders (and fetches) only
 * once the server says the caller holds `action`.
 */
export function GatedCard({
  action,
  tenantId,
  heading,
  noAccess,
  loading,
  className,
  children,
}: GatedCardProps) {
  const headingId = useId();
  return (
    <section className={className} aria-labelledby={headingId}>
      <h2 id={headingId} className="pc-card-title">
        {heading}
      </h2>
      <PermissionGate
        action={action}
        {...(tenantId ? { tenantId } : {})}
        fallback={<p className="pc-hint">{noAccess}</p>}
        loading={<p className="pc-hint">{loading}</p>}
      >
        {children}
      </PermissionGate>
    </section>
  );
}
