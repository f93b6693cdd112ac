import type { Metadata } from 'next';
import { keyEncryptionKey } from '@/lib/secret';
import { TokenDemo } from '../_components/token-demo';

export const metadata: Metadata = { title: 'Token mode' };

/**
 * Token mode, as a mobile web view or a cross-site SPA uses it: this page's client signs in with
 * `delivery: 'token'`, keeps the access token in memory, sends it as a bearer token (no cookie)
 * and refreshes it before it expires, once for all the tabs of this browser.
 */
export default function TokenDemoPage() {
  const enabled = keyEncryptionKey() !== null;
  const ttlSeconds = Number(process.env.ACCESS_TOKEN_TTL_SECONDS) || 300;
  return (
    <>
      <header className="app-page-header">
        <h1>Token mode</h1>
        <p className="app-muted">
          The same handler, without cookies: an access token in memory ({ttlSeconds} s), refreshed once across
          tabs.
        </p>
      </header>
      {enabled ? (
        <TokenDemo accessTokenTtlSeconds={ttlSeconds} />
      ) : (
        <p role="alert">Token mode is off: set AUTH_KEK (32+ random characters) and restart.</p>
      )}
    </>
  );
}
