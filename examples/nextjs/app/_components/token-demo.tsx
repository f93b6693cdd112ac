'use client';

import { createPortcullisClient, tokenTransport } from '@portcullis/client';
import { LoginForm, PortcullisProvider, useAuth } from '@portcullis/react';
import { useEffect, useState } from 'react';

/**
 * /token-demo's client: its own client in token mode, under its own provider, so the components
 * below it (LoginForm, useAuth) work without the cookie. Created after mount only: the transport
 * talks to the other tabs, which a server render must not.
 */
export function TokenDemo({ accessTokenTtlSeconds }: { accessTokenTtlSeconds: number }) {
  const [client, setClient] = useState<ReturnType<typeof createPortcullisClient> | null>(null);
  useEffect(() => {
    const created = createPortcullisClient({
      baseUrl: '/api/auth',
      // refresh shortly before expiry: 30 s by default, less for very short-lived tokens
      transport: tokenTransport({
        refreshSkewSeconds: Math.min(30, Math.max(1, Math.floor(accessTokenTtlSeconds / 5))),
      }),
    });
    setClient(created);
    // its channel to the other tabs and its listeners go with the page
    return () => created.dispose();
  }, [accessTokenTtlSeconds]);
  if (!client) return <p className="app-muted">Starting the token client…</p>;
  return (
    <PortcullisProvider client={client}>
      <TokenDemoBody />
    </PortcullisProvider>
  );
}

function TokenDemoBody() {
  const { status, user, session, signOut, client } = useAuth();
  const [calls, setCalls] = useState(0);
  const [answer, setAnswer] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (status === 'loading') return <p className="app-muted">Asking the other tabs for their tokens…</p>;
  if (status === 'unauthenticated' || !user) {
    return (
      <section className="app-stack" aria-label="Sign in with tokens">
        <p className="app-muted">This tab gets an access token and a refresh token instead of a cookie.</p>
        <LoginForm methods={{ magicLink: false, oauth: false, passkey: false }} />
      </section>
    );
  }

  const callApi = async () => {
    setBusy(true);
    setError(null);
    try {
      const { items } = await client.sessions.list();
      setCalls((n) => n + 1);
      setAnswer(
        `GET /sessions answered ${items.length} active session${items.length === 1 ? '' : 's'} at ${new Date().toLocaleTimeString()}`,
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="pc-card app-token-card" aria-labelledby="token-signed-in">
      <h2 id="token-signed-in">Signed in with tokens</h2>
      <dl className="app-facts">
        <dt>User</dt>
        <dd data-testid="token-user">{user.email}</dd>
        <dt>Session</dt>
        <dd>
          <code>{session?.id}</code>
        </dd>
        <dt>Calls made from this tab</dt>
        <dd data-testid="token-calls">{calls}</dd>
      </dl>
      {answer ? <p aria-live="polite">{answer}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      <div className="app-actions-row">
        <button type="button" className="pc-button pc-button-primary" disabled={busy} onClick={callApi}>
          Call the API
        </button>
        <button type="button" className="pc-button" onClick={() => signOut()}>
          Sign out
        </button>
      </div>
    </section>
  );
}
