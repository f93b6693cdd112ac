import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTHeaderParameters, SignJWT } from 'jose';

/**
 * A stand-in for Portcullis's issuer in the verifier tests: real keys (jose), a real JWKS served
 * over node:http (every request counted), and tokens minted in the access-token format
 * (RFC 9068, `typ: at+jwt`, Portcullis's claims). The keys engineer's issuer produces the same.
 */
export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

export interface TestIssuer {
  /** `http://127.0.0.1:<port>/auth`, the `iss` its tokens carry; the JWKS is at `<issuer>/.well-known/jwks.json`. */
  issuer: string;
  jwksUri: string;
  origin: string;
  /** Every request the server answered, in order (path only). */
  requests: string[];
  /** Requests for the JWKS so far. */
  jwksRequests(): number;
  /** The keys served in the JWKS; replace to rotate or remove. */
  published: SigningKey[];
  /** Answer the JWKS with this status instead (an outage), or null to serve normally. */
  failWith: number | null;
  /** Mint an access token signed by `key` (default the first published key). */
  mint(options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface MintOptions {
  key?: SigningKey;
  /** Claims to add or override; `undefined` values remove the default claim. */
  claims?: Record<string, unknown>;
  /** Header members to add or override; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Epoch seconds the token is issued at. Default now. */
  nowSeconds?: number;
}

export const AUDIENCE = 'https://api.example.test';

let kidCounter = 0;

/** A fresh signing key; `modulusLength` for RS256 (default 3072). */
export async function signingKey(alg: string, options: { modulusLength?: number } = {}): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: options.modulusLength ?? 3072 } : {}),
  });
  const kid = `key-${alg.toLowerCase()}-${++kidCounter}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, privateKey, publicJwk, privateJwk };
}

export async function startTestIssuer(keys: SigningKey[]): Promise<TestIssuer> {
  const requests: string[] = [];
  let server: Server | undefined;
  const state: TestIssuer = {
    issuer: '',
    jwksUri: '',
    origin: '',
    requests,
    jwksRequests: () => requests.filter((path) => path.endsWith('/.well-known/jwks.json')).length,
    published: [...keys],
    failWith: null,
    mint: (options) => mintAccessToken(state, options),
    close: () => new Promise<void>((resolve) => server?.close(() => resolve())),
  };
  server = createServer((request: IncomingMessage, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/auth/.well-known/jwks.json') {
      if (state.failWith !== null) {
        response.writeHead(state.failWith).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      response.end(JSON.stringify({ keys: state.published.map((key) => key.publicJwk) }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  state.issuer = `${state.origin}/auth`;
  state.jwksUri = `${state.issuer}/.well-known/jwks.json`;
  return state;
}

/** The claims of a user's access token as Portcullis issues them, `nowSeconds` being the issue time. */
export function defaultClaims(issuer: string, nowSeconds: number): Record<string, unknown> {
  return {
    iss: issuer,
    sub: '0191e0c4-0000-7000-8000-000000000001',
    aud: AUDIENCE,
    exp: nowSeconds + 300,
    iat: nowSeconds,
    jti: crypto.randomUUID(),
    client_id: 'first-party',
    tid: '0191e0c4-0000-7000-8000-0000000000aa',
    sid: '0191e0c4-0000-7000-8000-0000000000bb',
    scope: 'openid invoices:read',
    amr: ['pwd', 'otp'],
    acr: 'urn:portcullis:mfa',
    auth_time: nowSeconds - 60,
  };
}

async function mintAccessToken(issuer: TestIssuer, options: MintOptions = {}): Promise<string> {
  const key = options.key ?? issuer.published[0];
  if (!key) throw new Error('no key to sign with');
  const nowSeconds = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const claims = withOverrides(defaultClaims(issuer.issuer, nowSeconds), options.claims);
  const header = withOverrides({ alg: key.alg, typ: 'at+jwt', kid: key.kid }, options.header);
  return new SignJWT(claims).setProtectedHeader(header as JWTHeaderParameters).sign(key.privateKey);
}

function withOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const result = { ...base, ...overrides };
  for (const [name, value] of Object.entries(result)) if (value === undefined) delete result[name];
  return result;
}

/** Records every URL `fetch` is asked for while installed (jose fetches JWKS through the global). */
export function recordFetches(): { urls: string[]; restore(): void } {
  const original = globalThis.fetch;
  const urls: string[] = [];
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return original(input, init);
  }) as typeof fetch;
  return {
    urls,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}

/**
 * A compact JWS built by hand, for headers jose refuses to produce (unknown `crit`, `alg: none`,
 * HS256 keyed with public-key bytes): the header and payload as given, signed by `key` with the
 * algorithm the header names (`none`: empty signature).
 */
export async function signCompact(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: CryptoKey | Uint8Array<ArrayBuffer> | null,
): Promise<string> {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const data = new TextEncoder().encode(input);
  let signature: Uint8Array;
  if (header.alg === 'none' || key === null) {
    signature = new Uint8Array();
  } else if (key instanceof Uint8Array) {
    const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    signature = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, data));
  } else if (header.alg === 'ES256') {
    signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data));
  } else if (header.alg === 'EdDSA' || header.alg === 'Ed25519') {
    signature = new Uint8Array(await crypto.subtle.sign('Ed25519', key, data));
  } else {
    throw new Error(`signCompact: no signer for ${String(header.alg)}`);
  }
  return `${input}.${base64url(signature)}`;
}

export function base64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}
