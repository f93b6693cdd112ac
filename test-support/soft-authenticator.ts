import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests without a browser: ES256 keys, `none`
 * attestation, discoverable credentials, a signature counter (or none, like synced passkeys).
 * It builds what a browser would send as `credential.toJSON()`, byte for byte as the spec lays
 * it out, so the server's real verification (`@simplewebauthn/server`) runs unchanged.
 */
export interface SoftAuthenticatorOptions {
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;
  /** Set the UV flag (the user unlocked the authenticator). Default true. */
  userVerified?: boolean;
  /** Keep a signature counter (a security key) or stay at 0 (a synced passkey). Default true. */
  counts?: boolean;
}

interface StoredCredential {
  id: string;
  rpID: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

/** What a ceremony may change, to play a misbehaving browser or authenticator. */
export interface CeremonyOverrides {
  origin?: string;
  /** The rpID whose hash goes into authenticatorData (default the options' rpId). */
  rpID?: string;
  userVerified?: boolean;
  /** Sign with this counter instead of the next one (a cloned authenticator). */
  counter?: number;
  /** Use this credential (default the first one allowed or stored for the rpID). */
  credentialId?: string;
  /** The clientDataJSON type (default `webauthn.create` / `webauthn.get`). */
  type?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: WebAuthn options JSON as the server sent it
type OptionsJSON = any;

export class SoftAuthenticator {
  readonly credentials: StoredCredential[] = [];
  constructor(private readonly settings: SoftAuthenticatorOptions) {}

  /** `navigator.credentials.create()`: a new discoverable credential and its registration response. */
  async create(options: OptionsJSON, overrides: CeremonyOverrides = {}) {
    const rpID = options.rp?.id as string;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const credentialId = randomBytes(32);
    const id = credentialId.toString('base64url');
    const userHandle = options.user.id as string;
    const counter = this.settings.counts === false ? 0 : 1;
    this.credentials.push({ id, rpID, userHandle, privateKey, counter });
    // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y
    const coseKey = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.header(overrides.rpID ?? rpID, overrides, counter, 0x40),
      Buffer.alloc(16), // AAGUID: zeros, as under `none` attestation
      credentialIdLength,
      credentialId,
      coseKey,
    ]);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, overrides),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal', 'hybrid'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** `navigator.credentials.get()`: an assertion by an allowed (or any discoverable) credential. */
  async get(options: OptionsJSON, overrides: CeremonyOverrides = {}) {
    const rpID = options.rpId as string;
    const allowed = (options.allowCredentials ?? []).map((c: { id: string }) => c.id) as string[];
    const credential = this.credentials.find((c) =>
      overrides.credentialId
        ? c.id === overrides.credentialId
        : c.rpID === rpID && (allowed.length === 0 || allowed.includes(c.id)),
    );
    if (!credential) throw new Error('soft authenticator: no credential for these options');
    if (overrides.counter === undefined && this.settings.counts !== false) credential.counter += 1;
    const counter = overrides.counter ?? credential.counter;
    const authenticatorData = this.header(overrides.rpID ?? rpID, overrides, counter, 0);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const clientDataHash = createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest();
    const signature = sign('sha256', Buffer.concat([authenticatorData, clientDataHash]), {
      key: credential.privateKey,
      dsaEncoding: 'der',
    });
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** rpIdHash ‖ flags ‖ signCount, the 37 bytes every authenticatorData starts with. */
  private header(rpID: string, overrides: CeremonyOverrides, counter: number, extraFlags: number): Buffer {
    const userVerified = overrides.userVerified ?? this.settings.userVerified ?? true;
    // UP, UV, and BE + BS for a synced (counter-less) passkey
    const flags = 0x01 | (userVerified ? 0x04 : 0) | (this.settings.counts === false ? 0x18 : 0) | extraFlags;
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(counter >>> 0);
    return Buffer.concat([createHash('sha256').update(rpID).digest(), Buffer.from([flags]), signCount]);
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    const json = JSON.stringify({
      type: overrides.type ?? type,
      challenge,
      origin: overrides.origin ?? this.settings.origin,
      crossOrigin: false,
    });
    return Buffer.from(json).toString('base64url');
  }
}

/**
 * A minimal CBOR encoder (RFC 8949) for what attestation objects and COSE keys hold: unsigned
 * and negative integers, byte and text strings, maps.
 */
export function cbor(value: unknown): Buffer {
  if (typeof value === 'number') {
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [key, item] of value) parts.push(cbor(key), cbor(item));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: cannot encode ${typeof value}`);
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}
