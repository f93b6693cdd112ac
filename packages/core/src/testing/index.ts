export { describeAuthorizationAdministrationConformance } from './http-administration/authorization.js';
export { describeClientsConformance } from './http-administration/clients.js';
export { describeMembersAndInvitationsConformance } from './http-administration/members-invitations.js';
export { describeKeyValueConformance, type KeyValueConformanceOptions } from './key-value-conformance.js';
export { describeStorageConformance, type StorageConformanceOptions } from './storage-conformance.js';
export { type TestClock, testClock } from './test-clock.js';
export { describeTokenModeConformance } from './token-mode-conformance.js';
