export type UserStatus = 'active' | 'suspended' | 'deleted';

/** A person who can sign in. `tenantId` is null for the shared pool. */
export interface User {
  id: string;
  /** Null in the shared pool; the owning tenant in an isolated pool. */
  tenantId: string | null;
  /** As the user typed it (trimmed). Lookups use the normalized form. */
  email: string;
  emailVerifiedAt: Date | null;
  name: string | null;
  status: UserStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** The key under which emails are unique: a tenant id for isolated pools, `*` for the shared one. */
export const SHARED_POOL = '*';

export function userPoolKey(tenantId: string | null): string {
  return tenantId ?? SHARED_POOL;
}

/** Emails are compared case-insensitively after Unicode normalization. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}
