import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;

/**
 * Random bytes drawn from the CSPRNG in 4 KiB batches, for ids (not secrets: tokens draw their
 * own bytes). Ids are made on hot paths (a sign-in makes three), and one `randomFillSync` per id
 * cost more than the id itself. Every byte is handed out once; readers copy what they take
 * right away.
 */
export const randomPool = {
  bytes: Buffer.alloc(POOL_SIZE),
  offset: POOL_SIZE,
  /** The offset in `bytes` of `length` (≤ 4096) fresh random bytes. */
  take(length: number): number {
    if (!Number.isSafeInteger(length) || length < 1 || length > POOL_SIZE) {
      throw new RangeError(`random pool: cannot take ${length} bytes`);
    }
    if (this.offset + length > POOL_SIZE) {
      randomFillSync(this.bytes);
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += length;
    return at;
  },
};
