import { memoryStorage } from '@portcullis/core/memory';
import { describePreHijackingOnStorage } from '../../../test-support/pre-hijacking-suite.js';

// Account pre-hijacking (issue 14, Security 1) on the memory adapter; the adapters run the same
// suite on SQLite, PostgreSQL and MySQL (adapter-kysely's test/pre-hijacking.test.ts).
describePreHijackingOnStorage('memory', { create: async () => memoryStorage() });
