import { uuidv7 } from '../crypto/uuid.js';

/** A user's place in a tenant: role keys and ABAC attributes (e.g. `department`). */
export interface Membership {
  id: string;
  tenantId: string;
  userId: string;
  roles: string[];
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** A membership with the few user fields a member list shows, read in one query. */
export interface Member extends Membership {
  user: { id: string; email: string; name: string | null; status: string };
}

/** A new membership with the given roles and no attributes. */
export function newMembership(tenantId: string, userId: string, roles: string[], now: Date): Membership {
  return {
    id: uuidv7(now.getTime()),
    tenantId,
    userId,
    roles,
    attributes: {},
    createdAt: now,
    updatedAt: now,
  };
}
