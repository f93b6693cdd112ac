import { afterAll, beforeAll } from 'vitest';
import type { Auth } from '../../api/index.js';
import { createAuth } from '../../auth.js';
import type { AuthConfig } from '../../config/index.js';
import { silentLogger } from '../../ports/logger.js';
import type { Storage } from '../../ports/storage.js';
import type { StorageConformanceOptions } from '../storage-conformance.js';
import { httpClient, ORIGIN } from './http-client.js';

/**
 * What an HTTP conformance suite runs against: the adapter's storage, one `createAuth` over it
 * whose clock reads `nowMs` (the suite moves it), and a JSON client of its handler. The fields
 * are set before the suite's first test.
 */
export interface ConformanceAuth {
  storage: Storage;
  auth: Auth;
  call: ReturnType<typeof httpClient>;
  nowMs: number;
}

/**
 * Opens the storage of `options` and an auth instance over it before the suite's tests (quiet
 * logger, no rate limits, outbox delivered by hand, `config` on top), and closes both after.
 * Call it inside the suite's `describe`.
 */
export function openConformanceAuth(
  options: StorageConformanceOptions,
  config: Partial<AuthConfig> = {},
): ConformanceAuth {
  const opened = { nowMs: Date.now() } as ConformanceAuth;
  beforeAll(async () => {
    opened.storage = await options.create();
    opened.auth = createAuth({
      storage: opened.storage,
      secret: 'conformance-secret-0123456789-abcdefghij',
      baseURL: ORIGIN,
      logger: silentLogger,
      rateLimit: { enabled: false },
      outbox: { autoStart: false },
      clock: { now: () => new Date(opened.nowMs) },
      ...config,
    });
    opened.call = httpClient(opened.auth);
  });
  afterAll(async () => {
    await opened.auth?.close();
    if (opened.storage) await options.destroy?.(opened.storage);
  });
  return opened;
}
