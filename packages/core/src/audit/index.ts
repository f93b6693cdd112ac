export {
  type Actor,
  type ActorType,
  type AuditChainHead,
  type AuditEvent,
  type AuditEventInput,
  auditChainKey,
  GLOBAL_AUDIT_CHAIN,
} from './audit.js';
export {
  type AuditChainVerification,
  type AuditSealParts,
  auditSealParts,
  canonicalJson,
  sealAuditEvent,
  verifyAuditEvents,
} from './audit-chain.js';
export { type AuditApi, type AuditService, createAuditService } from './audit-service.js';
export type { AuditQuery, AuditStore } from './audit-store.js';
export { type Change, recordChange } from './record-change.js';
