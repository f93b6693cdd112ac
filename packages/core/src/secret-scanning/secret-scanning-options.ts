import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AuthError } from '../errors.js';
import type { GitHubPublicKey, LeakAction } from './secret-scanning.js';

/** Fetches GitHub's current secret scanning public keys (the app's own HTTP call). */
export type FetchGitHubPublicKeys = () => Promise<readonly GitHubPublicKey[]>;

const githubShape = {
  /**
   * The keys GitHub signs alerts with, as published at
   * `https://api.github.com/meta/public_keys/secret_scanning` (`key_identifier` and `key`). An
   * alert signed by any other key is refused (`signature_invalid`). At most 20.
   */
  publicKeys: z
    .array(z.strictObject({ keyIdentifier: z.string().min(1).max(256), key: z.string().min(1).max(8192) }))
    .max(20)
    .refine(
      (list) => new Set(list.map((k) => k.keyIdentifier)).size === list.length,
      'must not repeat a keyIdentifier',
    )
    .default([]),
  /**
   * What a reported key gets: `revoke` (default) revokes it at once with reason `leaked`; `flag`
   * leaves it working and sets its `leakReportedAt`, for apps that contact the owner first. Both
   * audit and emit `api_key.leaked`.
   */
  onLeak: z.enum(['revoke', 'flag']).default('revoke'),
  /**
   * Optional: fetches GitHub's key list when an alert names a key identifier not known yet (a
   * key GitHub rotated in), at most once a minute. Portcullis never fetches anything itself: this
   * is your HTTP call (see `docs/api-keys.md`). Keys it returns are used beside `publicKeys`.
   */
  fetchPublicKeys: z
    .custom<FetchGitHubPublicKeys>((value) => typeof value === 'function', { message: 'must be a function' })
    .optional(),
};

const secretScanningShape = {
  /**
   * GitHub's secret scanning partner program (`POST /secret-scanning/github`). Without it the
   * route answers 404.
   *
   * @example
   * github: { publicKeys: [{ keyIdentifier: 'bcb53661…', key: '-----BEGIN PUBLIC KEY-----\n…' }] }
   */
  github: z.strictObject(githubShape).optional(),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['secretScanning']`: where leak reports come from and what they do. */
export const secretScanningOptionsSchema: z.ZodObject<typeof secretScanningShape, z.core.$strict> =
  z.strictObject(secretScanningShape);

/** The `secretScanning` options an app writes. */
export type SecretScanningOptions = z.input<typeof secretScanningOptionsSchema>;

/** What the secret scanning domain receives: the public keys parsed, or null when off. */
export interface ResolvedSecretScanningOptions {
  github: {
    /** By key identifier. */
    publicKeys: ReadonlyMap<string, KeyObject>;
    onLeak: LeakAction;
    fetchPublicKeys: FetchGitHubPublicKeys | null;
  } | null;
}

/**
 * Parses the configured keys once, at start: a key that is not an ECDSA P-256 public key in PEM
 * is `config_invalid` now rather than a refused alert later. With neither keys nor a fetch hook
 * no alert could ever verify, which is a mistake too.
 */
export function resolveSecretScanningOptions(
  options: z.output<typeof secretScanningOptionsSchema>,
): ResolvedSecretScanningOptions {
  const { github } = options;
  if (!github) return { github: null };
  if (github.publicKeys.length === 0 && !github.fetchPublicKeys) {
    configProblem('secretScanning.github.publicKeys', 'must list a key (or set fetchPublicKeys)');
  }
  const publicKeys = new Map<string, KeyObject>();
  github.publicKeys.forEach((entry, i) => {
    const key = parseGitHubPublicKey(entry.key);
    if (!key)
      configProblem(`secretScanning.github.publicKeys.${i}.key`, 'must be an ECDSA P-256 public key (PEM)');
    publicKeys.set(entry.keyIdentifier, key);
  });
  return { github: { publicKeys, onLeak: github.onLeak, fetchPublicKeys: github.fetchPublicKeys ?? null } };
}

/** The key of `pem` when it is an ECDSA P-256 public key; null otherwise. */
export function parseGitHubPublicKey(pem: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ec') return null;
    return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}

function configProblem(path: string, message: string): never {
  throw new AuthError('config_invalid', { detail: `${path} ${message}`, issues: [{ path, message }] });
}
