import { memoryStorage } from '@portcullis/core/memory';
import { describeSecretScanningOnStorage } from '../../../test-support/secret-scanning-suite.js';

// GitHub's secret scanning partner endpoint on the memory adapter (its rows cannot be listed:
// the no-raw-key scan of rows runs on the databases, adapter-kysely's test/secret-scanning.test.ts).
describeSecretScanningOnStorage('memory', { create: async () => memoryStorage() });
