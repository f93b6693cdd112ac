import type { ReactNode } from 'react';

/** Permissions as a compact list of code chips (a role's, a key's, a policy's actions). */
export function PermissionList({
  permissions,
  empty,
}: {
  permissions: readonly string[];
  empty?: ReactNode;
}) {
  if (permissions.length === 0) return <p className="pc-hint">{empty ?? 'No permissions'}</p>;
  return (
    <ul className="pc-permission-list">
      {permissions.map((permission) => (
        <li key={permission}>
          <code>{permission}</code>
        </li>
      ))}
    </ul>
  );
}
