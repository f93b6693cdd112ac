import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * The ids' random bits, drawn from the CSPRNG 4 KiB at a time: a sign-in makes three ids, and
 * one `randomFillSync` per id cost more than the id. Each byte is used once. Not for secrets:
 * tokens draw their own bytes.
 */
const random = Buffer.alloc(4096);
let randomOffset = random.length;

/** The offset in `random` of `length` bytes not used before. */
function takeRandom(length: number): number {
  if (randomOffset + length > random.length) {
    randomFillSync(random);
    randomOffset = 0;
  }
  randomOffset += length;
  return randomOffset - length;
}

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, a 12-bit counter (method 1 of §6.2, so ids made
 * in one millisecond by this process still sort in creation order), then random bits. Ids sort
 * by creation time, which keeps B-tree inserts local and makes id order a pagination key.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  let ms = Math.max(nowMs, lastMs);
  if (ms === lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      ms += 1;
      sequence = 0;
    }
  } else {
    // start low in the counter space so a burst in one millisecond rarely overflows it
    sequence = random.readUInt8(takeRandom(1)) & 0x3f;
  }
  lastMs = ms;
  const at = takeRandom(8); // bytes 8–15: the variant bits, then 62 random bits
  const r = (i: number) => hex(random.readUInt8(at + i));
  return (
    hex(Math.floor(ms / 2 ** 40) & 0xff) +
    hex(Math.floor(ms / 2 ** 32) & 0xff) +
    hex(Math.floor(ms / 2 ** 24) & 0xff) +
    hex(Math.floor(ms / 2 ** 16) & 0xff) +
    '-' +
    hex(Math.floor(ms / 2 ** 8) & 0xff) +
    hex(ms & 0xff) +
    '-' +
    hex(0x70 | ((sequence >>> 8) & 0x0f)) +
    hex(sequence & 0xff) +
    '-' +
    hex(0x80 | (random.readUInt8(at) & 0x3f)) +
    r(1) +
    '-' +
    r(2) +
    r(3) +
    r(4) +
    r(5) +
    r(6) +
    r(7)
  );
}

/** Two lowercase hex digits for each byte value. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

/** `byte` (0–255) as two hex digits. */
function hex(byte: number): string {
  return HEX_BYTE[byte] as string;
}
