/**
 * Every event Portcullis logs: a fixed name (what to alert and count on, stable across releases)
 * and the sentence a reader sees as the message. A log call names one of these; whatever varies
 * goes into the fields, never into the name or the message.
 */
export const LOG_EVENTS = {
  'portcullis.request.failed': 'request failed',
  'portcullis.request.unexpected_error': 'unexpected error',
  'portcullis.storage.unavailable': 'storage unavailable',
  'portcullis.key_value.unavailable':
    'key-value store unavailable: rate limits and counters are per instance until it returns',
  'portcullis.invalidations.subscribed': 'subscribed to invalidations',
  'portcullis.invalidations.subscribe_failed':
    'could not subscribe to invalidations, retrying; until then changes made on other instances arrive when cached entries are re-checked',
  'portcullis.session_cache.store_unavailable':
    'session cache: key-value store unavailable, using the database',
  'portcullis.session_cache.refresh_failed': 'session cache: background refresh failed',
  'portcullis.session_cache.version_refresh_failed':
    'session cache: background version refresh failed; requests re-check instead',
  'portcullis.session_cache.invalidation_malformed':
    'session cache: ignoring a malformed invalidation message',
  'portcullis.authorization_cache.store_unavailable':
    'authorization cache: key-value store unavailable, using the database',
  'portcullis.authorization_cache.versions_refresh_failed':
    'authorization cache: could not refresh the versions',
  'portcullis.authorization_cache.refresh_failed': 'authorization cache: refresh failed',
  'portcullis.authorization_cache.invalidation_not_published':
    'authorization cache: could not publish an invalidation',
  'portcullis.authorization_cache.invalidation_malformed':
    'authorization cache: ignoring a malformed invalidation message',
  'portcullis.api_key_cache.invalidation_malformed':
    'api key cache: ignored a malformed invalidation message',
  'portcullis.api_key_cache.revocation_not_published':
    'api key revocation not published: other instances may serve it until their cache entry ages out',
  'portcullis.api_key.last_uses_not_written': 'api key last uses not written; retrying at the next flush',
  'portcullis.rate_limit.store_unavailable':
    'rate-limit store unavailable: policies follow their onStoreFailure mode',
  'portcullis.rate_limit.shadow_exceeded': 'rate limit exceeded under a shadow policy (not enforced)',
  'portcullis.rate_limit_overrides.unavailable':
    'rate-limit overrides unavailable: policies use their own numbers',
  'portcullis.rate_limit_overrides.invalidation_malformed':
    'rate-limit override cache: ignored a malformed invalidation message',
  'portcullis.rate_limit_overrides.change_not_published':
    'rate-limit override change not published: other instances may use the old numbers until their entry ages out',
  'portcullis.access_token.revocation_not_recorded':
    'access token revocation not recorded in the key-value store',
  'portcullis.access_token.revocation_checked_in_database':
    'key-value store unreachable: access token revocation checked against the database',
  'portcullis.signing_key.next_not_published': 'could not publish a next signing key',
  'portcullis.signing_key.unencrypted_keys':
    'tokens.signingKeys.keyEncryptionKeys is not set: access tokens are signed with keys held in this process only (one instance, lost on restart)',
  'portcullis.outbox.dispatch_failed': 'outbox dispatch failed',
  'portcullis.outbox.delivery_failed': 'outbox delivery failed',
  'portcullis.mail.no_mailer': 'no mailer configured: message not sent',
  'portcullis.mail.request_failed': 'mail request failed',
  'portcullis.oauth.discovery_failed': 'oauth discovery failed',
  'portcullis.oauth.userinfo_failed': 'oauth userinfo failed',
  'portcullis.oauth.native_sign_in_failed': 'native OAuth sign-in failed',
  'portcullis.secret_scanning.public_keys_failed': 'secret scanning: fetchPublicKeys failed',
  'portcullis.secret_scanning.public_key_rejected':
    'secret scanning: fetchPublicKeys returned a key that is not ECDSA P-256 PEM',
  'portcullis.secret_scanning.alert_handled': 'secret scanning: GitHub alert handled',
} as const;

/** The name of an event Portcullis logs (`LOG_EVENTS`). */
export type LogEvent = keyof typeof LOG_EVENTS;
