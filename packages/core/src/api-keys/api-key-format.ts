import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The API key format: `<prefix>_<environment>_<random><checksum>`.
 *
 * - `random` is 33 base62 characters drawn without bias: log2(62^33) ≈ 196 bits.
 * - `checksum` is the CRC32 of everything before it (prefix, environment and random), as 6 base62
 *   characters. A mistyped or edited key (`test` → `live`, a swapped character) fails it, so it is
 *   refused without a storage lookup; a secret scanner can check a candidate the same way.
 * - Only letters, digits and underscores: a double click selects the whole key, and no key can
 *   look like a UUID (or any other id Portcullis shows) or need escaping in a URL or a header.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_RANDOM_LENGTH = 33;
export const API_KEY_CHECKSUM_LENGTH = 6;
/** How many leading characters of a key are kept to show it: the prefix, environment and 4 more. */
const SHOWN_RANDOM_CHARACTERS = 4;
/** Longer than any key this format can make: what is longer is refused before any work. */
export const MAX_API_KEY_LENGTH = 16 + 1 + 16 + 1 + API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH;

const KEY_PATTERN = new RegExp(
  `^([a-z][a-z0-9]{0,15})_([a-z][a-z0-9]{0,15})_([0-9A-Za-z]{${API_KEY_RANDOM_LENGTH}})([0-9A-Za-z]{${API_KEY_CHECKSUM_LENGTH}})$`,
);

/** A key that passed the offline checks: its parts. */
export interface ParsedApiKey {
  prefix: string;
  environment: string;
}

/** The checksum of a key's body (everything before the checksum), as base62. */
export function apiKeyChecksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes above it are dropped, so every character is equally likely
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A new key of `prefix` and `environment` (both already validated by the options). */
export function generateApiKey(prefix: string, environment: string): string {
  const body = `${prefix}_${environment}_${randomBase62(API_KEY_RANDOM_LENGTH)}`;
  return body + apiKeyChecksum(body);
}

/**
 * The parts of `presented` when it has the format, this install's prefix and a valid checksum;
 * null otherwise. Pure: no lookup, no secret.
 */
export function parseApiKey(presented: string, prefix: string): ParsedApiKey | null {
  if (presented.length > MAX_API_KEY_LENGTH) return null;
  const match = KEY_PATTERN.exec(presented);
  if (!match || match[1] !== prefix) return null;
  const checksum = match[4] ?? '';
  if (apiKeyChecksum(presented.slice(0, presented.length - checksum.length)) !== checksum) return null;
  return { prefix, environment: match[2] ?? '' };
}

/** What is kept to show a key: its start (prefix, environment, 4 characters) and last four. */
export function apiKeyDisplayParts(key: string, parsed: ParsedApiKey): { start: string; lastFour: string } {
  const startLength = parsed.prefix.length + parsed.environment.length + 2 + SHOWN_RANDOM_CHARACTERS;
  return { start: key.slice(0, startLength), lastFour: key.slice(-4) };
}

/** One pepper: the key of the HMAC that keys are stored as. */
export interface ApiKeyPepper {
  version: number;
  secret: string;
}

/**
 * The peppers in use: the configured ones, or, when none is configured, version 0 derived from
 * the app secret (HKDF-SHA-256, its own purpose), so keys work out of the box. Newest first: new
 * keys are hashed with the first.
 */
export function resolvePeppers(configured: readonly ApiKeyPepper[], appSecret: string): ApiKeyPepper[] {
  if (configured.length > 0) return [...configured].sort((a, b) => b.version - a.version);
  const derived = Buffer.from(
    hkdfSync('sha256', appSecret, Buffer.alloc(0), 'portcullis:api-key-pepper', 32),
  );
  return [{ version: 0, secret: derived.toString('base64url') }];
}

/** HMAC-SHA256 (hex) of a key under a pepper: what is stored in its place. */
export function hashApiKey(key: string, pepper: ApiKeyPepper): string {
  return createHmac('sha256', pepper.secret).update(key, 'utf8').digest('hex');
}
