export type { Actor, ActorType, AuditChainHead, AuditEvent, AuditEventInput } from './audit.js';
export {
  type AuditChainVerification,
  canonicalJson,
  sealAuditEvent,
  verifyAuditEvents,
} from './audit-chain.js';
export type { AuditQuery, AuditStore } from './audit-store.js';
export { type Change, recordChange } from './record-change.js';
