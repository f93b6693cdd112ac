import { createHash } from 'node:crypto';
import type { CallContext } from '../call-context.js';
import { constantTimeEqual, generateToken, sha256Hex } from '../crypto/random.js';
import type { SealedBox } from '../crypto/sealed-box.js';
import { AuthError, isAuthError } from '../errors.js';
import type { KeyValue } from '../ports/key-value.js';
import type { RefreshTokensApi, TokenPair } from './refresh-token-service.js';

/** How long a code waits for its exchange: RFC 6749 §4.1.2 recommends at most 10 minutes. */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/**
 * How long a redeemed code is remembered: a second use within it ends the session the code
 * opened (RFC 6749 §4.1.2: the code leaked, so what it granted should be revoked).
 */
const REDEEMED_TTL_SECONDS = 600;

/** An RFC 7636 code verifier: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 code challenge: base64url of a SHA-256, 43 characters. */
export const S256_CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** What a code is bound to: the session it opens, and who may redeem it, from where, with what proof. */
export interface AuthorizationCodeGrant {
  /** The token of the session the sign-in opened: the code is exchanged for tokens bound to it. */
  sessionToken: string;
  clientId: string;
  /** Exactly as the authorization request named it: the exchange must repeat it. */
  redirectUri: string;
  /** The S256 PKCE challenge (RFC 7636 §4.2) the exchange's verifier must match. */
  codeChallenge: string;
}

/** The `authorization_code` grant's parameters (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export interface AuthorizationCodeExchange {
  code: string | undefined;
  clientId: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/**
 * One-time authorization codes of native apps' provider sign-ins (RFC 8252): the callback
 * stores one, the app trades it at the token endpoint for a token pair.
 */
export interface AuthorizationCodeService {
  /** Stores a code for `grant` (its SHA-256 the key, the record sealed) and returns it. */
  issue(grant: AuthorizationCodeGrant): Promise<string>;
  /**
   * Takes the code (exactly one concurrent caller gets it), checks the client, the redirect URI
   * and the PKCE verifier, and issues the session's token pair to the client. Every failure is
   * `invalid_grant`. A code that fails a check is spent, and the session it opened, which nobody
   * can reach any more, is ended; a code presented again after its redemption ends the session
   * (and so the tokens) it was redeemed for.
   */
  redeem(exchange: AuthorizationCodeExchange, context?: CallContext): Promise<TokenPair>;
}

export interface AuthorizationCodeServiceDeps {
  /** Holds codes until their exchange: shared by every instance (`getAndDelete` is atomic). */
  keyValue: KeyValue;
  /** Seals the records (they carry a session token) at rest. */
  box: SealedBox;
  issueTokens: RefreshTokensApi['issueTokens'];
  /** Ends a session by its token. */
  signOut(sessionToken: string, context?: CallContext): Promise<void>;
}

/** The S256 transform of RFC 7636 §4.2. */
function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createAuthorizationCodeService(deps: AuthorizationCodeServiceDeps): AuthorizationCodeService {
  const { keyValue, box, issueTokens, signOut } = deps;
  const codeKey = (hash: string) => `oauth:code:${hash}`;
  const redeemedKey = (hash: string) => `oauth:code-redeemed:${hash}`;
  const invalid = (detail: string) => new AuthError('invalid_grant', { detail });

  function open(sealed: string): AuthorizationCodeGrant | null {
    try {
      return JSON.parse(box.open(sealed)) as AuthorizationCodeGrant;
    } catch {
      return null;
    }
  }

  async function endSession(grant: AuthorizationCodeGrant | null, context: CallContext) {
    if (grant) await signOut(grant.sessionToken, context).catch(() => {});
  }

  return {
    async issue(grant) {
      const code = generateToken(32);
      await keyValue.set(codeKey(sha256Hex(code)), box.seal(JSON.stringify(grant)), {
        ttlSeconds: AUTHORIZATION_CODE_TTL_SECONDS,
      });
      return code;
    },

    async redeem({ code, clientId, redirectUri, codeVerifier }, context = {}) {
      if (code === undefined || code === '') {
        throw new AuthError('invalid_request', { detail: 'code is missing' });
      }
      if (code.length > 256) throw invalid('unknown, expired or used code');
      const hash = sha256Hex(code);
      const sealed = await keyValue.getAndDelete(codeKey(hash));
      if (sealed === null) {
        // a replay of a redeemed code: whoever holds it is not (only) the app
        const redeemed = await keyValue.getAndDelete(redeemedKey(hash));
        if (redeemed !== null) await endSession(open(redeemed), context);
        throw invalid('unknown, expired or used code');
      }
      const grant = open(sealed);
      if (!grant) throw invalid('unreadable code');
      await keyValue.set(redeemedKey(hash), sealed, { ttlSeconds: REDEEMED_TTL_SECONDS });
      const problem =
        grant.clientId !== clientId
          ? 'the code was issued to another client'
          : redirectUri !== grant.redirectUri
            ? 'redirect_uri differs from the authorization request'
            : codeVerifier === undefined || !CODE_VERIFIER.test(codeVerifier)
              ? 'code_verifier is missing or malformed'
              : !constantTimeEqual(s256(codeVerifier), grant.codeChallenge)
                ? 'code_verifier does not match the code challenge'
                : null;
      if (problem) {
        await endSession(grant, context);
        throw invalid(problem);
      }
      try {
        return await issueTokens(grant.sessionToken, { clientId }, context);
      } catch (error) {
        // the session ended between the sign-in and the exchange (signed out, suspended…)
        if (isAuthError(error, 'unauthenticated')) {
          throw new AuthError('invalid_grant', { detail: 'the sign-in has ended', cause: error });
        }
        throw error;
      }
    },
  };
}
