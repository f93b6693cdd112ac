import { hash, parseOptions, verify } from '@node-rs/argon2';

/** argon2id cost parameters (memory in KiB). */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's argon2id minimum: m=19 MiB, t=2, p=1. Stronger settings are allowed, weaker are not. */
export const MIN_ARGON2_PARAMS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const ARGON2ID = 2; // Algorithm.Argon2id: a const enum that isolatedModules cannot import

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time verification; false (never a throw) for a malformed hash. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the current ones. */
  needsRehash(storedHash: string): boolean;
  /**
   * Verifies against a fixed hash of a random password, so that signing in as an unknown user
   * costs the same time as a wrong password for a known one.
   */
  verifyDummy(password: string): Promise<void>;
}

/** argon2id via @node-rs/argon2 (runs on libuv's thread pool, not the event loop). */
export function createPasswordHasher(params: Argon2Params = MIN_ARGON2_PARAMS): PasswordHasher {
  const options = { ...params, algorithm: ARGON2ID };
  // what a hash made now begins with (PHC string, argon2 version 0x13): the common case, no parse
  const currentPrefix = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    async verify(storedHash, password) {
      try {
        return await verify(storedHash, password);
      } catch {
        return false;
      }
    },
    needsRehash(storedHash) {
      if (storedHash.startsWith(currentPrefix)) return false;
      try {
        const parsed = parseOptions(storedHash);
        return (
          parsed.algorithm !== ARGON2ID ||
          parsed.memoryCost !== params.memoryCost ||
          parsed.timeCost !== params.timeCost ||
          parsed.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      dummyHash ??= hash(`dummy-${Math.random()}-${Date.now()}`, options);
      await verify(await dummyHash, password).catch(() => false);
    },
  };
}
