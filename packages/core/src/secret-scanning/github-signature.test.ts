import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { isAuthError } from '../errors.js';
import { silentEventLogger } from '../logging/index.js';
import {
  createGitHubKeyRing,
  PUBLIC_KEY_REFETCH_SECONDS,
  verifyGitHubSignature,
} from './github-signature.js';
import { parseGitHubPublicKey, resolveSecretScanningOptions } from './secret-scanning-options.js';

function keyPair(namedCurve = 'prime256v1') {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve });
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }) as string, publicKey, privateKey };
}

describe('GitHub secret scanning signatures', () => {
  const github = keyPair();
  const payload = Buffer.from('[{"token":"pc_live_x","type":"t"}]');
  const signature = sign('sha256', payload, { key: github.privateKey, dsaEncoding: 'der' }).toString(
    'base64',
  );

  it('verifies a DER ECDSA P-256 SHA-256 signature over the exact bytes, and nothing else', () => {
    expect(verifyGitHubSignature(payload, signature, github.publicKey)).toBe(true);
    expect(
      verifyGitHubSignature(Buffer.concat([payload, Buffer.from(' ')]), signature, github.publicKey),
    ).toBe(false);
    expect(verifyGitHubSignature(payload, signature, keyPair().publicKey)).toBe(false);
    // the same signature in IEEE P1363 form (r || s) is not what GitHub sends
    const p1363 = sign('sha256', payload, { key: github.privateKey, dsaEncoding: 'ieee-p1363' }).toString(
      'base64',
    );
    expect(verifyGitHubSignature(payload, p1363, github.publicKey)).toBe(false);
    for (const malformed of ['', 'not base64!', 'A'.repeat(500)]) {
      expect(verifyGitHubSignature(payload, malformed, github.publicKey)).toBe(false);
    }
  });

  it('takes only ECDSA P-256 public keys in PEM, at start', () => {
    expect(parseGitHubPublicKey(github.pem)).not.toBeNull();
    expect(parseGitHubPublicKey(keyPair('secp384r1').pem)).toBeNull();
    expect(parseGitHubPublicKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toBeNull();
    const refused = (github_: Record<string, unknown>) => {
      try {
        resolveSecretScanningOptions({ github: { publicKeys: [], onLeak: 'revoke', ...github_ } });
      } catch (error) {
        return isAuthError(error, 'config_invalid') ? error.issues?.[0]?.path : 'other error';
      }
      return 'accepted';
    };
    expect(refused({})).toBe('secretScanning.github.publicKeys');
    expect(refused({ publicKeys: [{ keyIdentifier: 'a', key: keyPair('secp384r1').pem }] })).toBe(
      'secretScanning.github.publicKeys.0.key',
    );
    expect(refused({ publicKeys: [{ keyIdentifier: 'a', key: github.pem }] })).toBe('accepted');
    expect(refused({ fetchPublicKeys: async () => [] })).toBe('accepted');
    expect(resolveSecretScanningOptions({})).toEqual({ github: null });
  });

  it("asks the app's fetch hook for an unknown key identifier at most once a minute", async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const clock = { now: () => new Date(nowMs) };
    const rotatedIn = keyPair();
    let calls = 0;
    let published: Array<{ keyIdentifier: string; key: string }> = [];
    const ring = createGitHubKeyRing(
      { clock, logger: silentEventLogger },
      {
        publicKeys: new Map([['configured', github.publicKey]]),
        fetchPublicKeys: async () => {
          calls += 1;
          return published;
        },
      },
    );
    expect(await ring.find('configured')).toBe(github.publicKey);
    expect(calls).toBe(0);
    expect(await ring.find('new')).toBeNull();
    expect(await ring.find('new')).toBeNull();
    expect(calls).toBe(1);
    published = [{ keyIdentifier: 'new', key: rotatedIn.pem }];
    nowMs += PUBLIC_KEY_REFETCH_SECONDS * 1000;
    const [a, b] = await Promise.all([ring.find('new'), ring.find('new')]);
    expect(calls).toBe(2);
    expect(a?.equals(rotatedIn.publicKey)).toBe(true);
    expect(b?.equals(rotatedIn.publicKey)).toBe(true);
    // found now: no further call
    expect(await ring.find('new')).not.toBeNull();
    expect(calls).toBe(2);
  });

  // regression (review): every report naming an unknown key awaited a hanging hook for ever
  it('waits at most five seconds for a hook that hangs, then answers as for an unknown key', async () => {
    vi.useFakeTimers();
    try {
      const ring = createGitHubKeyRing(
        { clock: { now: () => new Date() }, logger: silentEventLogger },
        { publicKeys: new Map(), fetchPublicKeys: () => new Promise(() => {}) },
      );
      let answer: unknown = 'pending';
      void ring.find('new').then((found) => {
        answer = found;
      });
      await vi.advanceTimersByTimeAsync(4_900);
      expect(answer).toBe('pending');
      await vi.advanceTimersByTimeAsync(200);
      expect(answer).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('never fetches without a hook', async () => {
    const ring = createGitHubKeyRing(
      { clock: { now: () => new Date() }, logger: silentEventLogger },
      { publicKeys: new Map(), fetchPublicKeys: null },
    );
    expect(await ring.find('anything')).toBeNull();
  });
});
