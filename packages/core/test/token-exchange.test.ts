import { memoryStorage } from '@portcullis/core/memory';
import { describeTokenExchangeOnStorage } from '../../../test-support/token-exchange-suite.js';

// Token exchange (RFC 8693) on the memory adapter; the adapters run the same suite on SQLite,
// PostgreSQL and MariaDB (adapter-kysely's test/token-exchange.test.ts).
describeTokenExchangeOnStorage('memory', { create: async () => memoryStorage() });
