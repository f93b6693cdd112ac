import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;

/**
 * Random bytes drawn from the CSPRNG in 4 KiB batches: ids and tokens are made on hot paths (a
 * sign-in makes three ids and a token), and one `randomFillSync` per value costs more than the
 * value itself. Every byte is handed out once; readers copy what they take right away, and wipe
 * it when it was secret.
 */
export const randomPool = {
  bytes: Buffer.alloc(POOL_SIZE),
  offset: POOL_SIZE,
  /** The offset in `bytes` of `length` (≤ 4096) fresh random bytes. */
  take(length: number): number {
    if (this.offset + length > POOL_SIZE) {
      randomFillSync(this.bytes);
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += length;
    return at;
  },
};
