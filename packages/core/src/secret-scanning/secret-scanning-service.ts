import type { KeyObject } from 'node:crypto';
import {
  type ApiKey,
  type ApiKeyPepper,
  endPredecessorOverlap,
  findApiKeyByKey,
  parseApiKey,
} from '../api-keys/index.js';
import { recordChange } from '../audit/index.js';
import type { CallContext } from '../call-context.js';
import { sha256Hex } from '../crypto/random.js';
import type { Environments } from '../environments.js';
import { AuthError } from '../errors.js';
import type { EventLogger } from '../logging/event-logger.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import { parseInput } from '../validation.js';
import { createGitHubKeyRing, verifyGitHubSignature } from './github-signature.js';
import type { GitHubLeakReport, LeakAction, SecretLeakLabel } from './secret-scanning.js';
import type { ResolvedSecretScanningOptions } from './secret-scanning-options.js';
import { type GitHubLeak, gitHubLeakReportSchema } from './secret-scanning-schemas.js';

/** The secret scanning operations of `auth.api`. */
export interface SecretScanningApi {
  /**
   * Handles an alert of GitHub's secret scanning partner program (what `POST
   * /secret-scanning/github` calls). Checks first that `signature` is the signature of the key
   * named `keyIdentifier` over the exact `payload` bytes (`signature_invalid` otherwise, and for
   * an unknown key; `invalid_request` when either header is missing), then parses it
   * (`invalid_json`, `invalid_request`). Each reported token that is not this install's API key
   * format (prefix, environment, checksum) is a `false_positive` without a storage lookup; one
   * that is, is looked up by its keyed hash: unknown → `false_positive`; found → `true_positive`,
   * and, the first time it is reported, revoked with reason `leaked` (or only flagged, with
   * `secretScanning.github.onLeak: 'flag'`), its `leakReportedAt` set, audited and emitted as
   * `api_key.leaked` (actor `system`; the report's `url` and `source`, never the token) in the
   * same transaction. A repeated report answers the same and changes nothing. `not_found` when
   * `secretScanning.github` is not configured.
   *
   * @example
   * const labels = await auth.api.receiveGitHubLeakReport({
   *   payload: rawBody,
   *   keyIdentifier: request.headers.get('github-public-key-identifier'),
   *   signature: request.headers.get('github-public-key-signature'),
   * })
   * return Response.json(labels)
   */
  receiveGitHubLeakReport(report: GitHubLeakReport, context?: CallContext): Promise<SecretLeakLabel[]>;
}

/** The secret scanning domain: its `auth.api` operations. */
export interface SecretScanningService {
  api: SecretScanningApi;
}

/** What the secret scanning service uses. */
export interface SecretScanningServiceDeps {
  storage: Storage;
  clock: Clock;
  logger: EventLogger;
}

export interface SecretScanningServiceOptions {
  secretScanning: ResolvedSecretScanningOptions;
  /** `apiKeys.prefix`: what a token must start with to be one of ours. */
  apiKeyPrefix: string;
  environments: Environments;
  /** The API keys' peppers, newest first (see `resolvePeppers`). */
  peppers: readonly ApiKeyPepper[];
}

/** The system acts on a leak: no person or credential of the install asked for it. */
const SYSTEM_ACTOR = { type: 'system', id: null } as const;

export function createSecretScanningService(
  { storage, clock, logger }: SecretScanningServiceDeps,
  { secretScanning, apiKeyPrefix, environments, peppers }: SecretScanningServiceOptions,
): SecretScanningService {
  const { github } = secretScanning;
  const keyRing = github
    ? createGitHubKeyRing(
        { clock, logger },
        { publicKeys: github.publicKeys, fetchPublicKeys: github.fetchPublicKeys },
      )
    : null;

  /** The payload as bytes, verified against the key it names. */
  async function verifiedPayload(report: GitHubLeakReport): Promise<Uint8Array> {
    const { keyIdentifier, signature } = report;
    if (!keyIdentifier || !signature) {
      throw new AuthError('invalid_request', {
        detail: 'send the Github-Public-Key-Identifier and Github-Public-Key-Signature headers',
      });
    }
    const payload = typeof report.payload === 'string' ? Buffer.from(report.payload, 'utf8') : report.payload;
    let key: KeyObject | null = null;
    if (keyIdentifier.length <= 256) key = (await keyRing?.find(keyIdentifier)) ?? null;
    // an unknown key and a wrong signature are one answer: neither proves the sender is GitHub
    if (!key || !verifyGitHubSignature(payload, signature, key)) {
      throw new AuthError('signature_invalid', {
        detail: 'the payload is not signed by a known GitHub secret scanning key',
      });
    }
    return payload;
  }

  function parseLeaks(payload: Uint8Array): GitHubLeak[] {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      throw new AuthError('invalid_json', { detail: 'the payload is not valid JSON' });
    }
    return parseInput(gitHubLeakReportSchema, json);
  }

  /**
   * Whether `leak` is one of our keys, acting on it the first time. Only a token with our format
   * and a valid checksum costs a lookup: the checksum weeds out lookalikes offline.
   */
  async function labelLeak(
    leak: GitHubLeak,
    context: CallContext,
    onLeak: LeakAction,
  ): Promise<ApiKey | null> {
    const parsed = parseApiKey(leak.token, apiKeyPrefix);
    if (!parsed || !environments.includes(parsed.environment)) return null;
    // a leak is a leak whatever the key's standing: it is flagged (and revoked) all the same
    const key = (await findApiKeyByKey(storage.apiKeys, peppers, leak.token))?.key;
    if (!key) return null;
    await storage.transaction(async (tx) => {
      const at = clock.now();
      const first = await tx.apiKeys.markLeakReported(key.tenantId, key.id, at);
      // a key flagged earlier is still revoked once the app switches to `revoke`
      const revoked = onLeak === 'revoke' && (await tx.apiKeys.revoke(key.tenantId, key.id, at, 'leaked'));
      if (!first && !revoked) return;
      // a predecessor still in overlap spends this key's credits: it ends with it
      const endedOverlapOf = revoked ? await endPredecessorOverlap(tx, key, at) : null;
      await recordChange(tx, clock, context, {
        tenantId: key.tenantId,
        action: 'api_key.leaked',
        target: { type: 'api_key', id: key.id },
        actor: SYSTEM_ACTOR,
        data: {
          reporter: 'github',
          tokenType: leak.type,
          url: leak.url ?? null,
          source: leak.source ?? null,
          start: key.start,
          onLeak,
          revoked,
          ...(endedOverlapOf ? { endedOverlapOf } : {}),
        },
      });
    });
    return key;
  }

  const api: SecretScanningApi = {
    async receiveGitHubLeakReport(report, context = {}) {
      if (!github) throw new AuthError('not_found', { detail: 'secret scanning is not configured' });
      const leaks = parseLeaks(await verifiedPayload(report));
      // one lookup per distinct token, one at a time: a large batch must not flood the database
      const found = new Map<string, ApiKey | null>();
      for (const leak of leaks) {
        if (!found.has(leak.token)) found.set(leak.token, await labelLeak(leak, context, github.onLeak));
      }
      const keys = [...found.values()].filter((key): key is ApiKey => key !== null);
      logger.info('portcullis.secret_scanning.alert_handled', {
        reported: leaks.length,
        apiKeyIds: keys.map((key) => key.id),
        onLeak: github.onLeak,
      });
      return leaks.map((leak) => ({
        token_hash: sha256Hex(leak.token),
        token_type: leak.type,
        label: found.get(leak.token) ? 'true_positive' : 'false_positive',
      }));
    },
  };

  return { api };
}
