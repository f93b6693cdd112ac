import { isPortcullisClientError } from './client-error.js';
import { type OperationId, type RefreshTokensResponse, tokenDeliveryOperations } from './generated/routes.js';
import type { OutgoingRequest, Transport, TransportContext } from './transport.js';

/** A token-mode sign-in's credentials, as the transport keeps them. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (epoch milliseconds). */
  expiresAt: number;
  /** When this pair was received (epoch milliseconds): of two pairs, the later one is current. */
  obtainedAt: number;
}

/**
 * Where the tokens outlive the page: a CLI's keychain, or `sessionStorage` for a web view that
 * reloads. Anything the page's scripts can read, an XSS can read too: the default is memory only.
 */
export interface TokenStorage {
  load(): TokenSet | null | Promise<TokenSet | null>;
  /** `null`: forget them (a sign-out, a refused refresh). */
  save(tokens: TokenSet | null): void | Promise<void>;
}

/** The part of the Web Locks API (`navigator.locks`) the transport uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of `BroadcastChannel` the transport uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** Options of {@link tokenTransport}. */
export interface TokenTransportOptions {
  /** A native client of `refreshTokens.nativeClients`; sent as `client_id` with every sign-in. */
  clientId?: string;
  /** Keeps the tokens beyond memory (see {@link TokenStorage}); none by default. */
  storage?: TokenStorage;
  /** Refresh before a call when the access token expires within this many seconds (default 30). */
  refreshSkewSeconds?: number;
  /**
   * How tabs share one refresh lineage: by default `navigator.locks` and `BroadcastChannel` when
   * both exist; `false` for one process alone (a CLI); or your own implementations.
   */
  crossTab?: false | { locks: LockManagerLike; BroadcastChannel: new (name: string) => BroadcastChannelLike };
  /** How long a new tab waits for another tab's tokens before it counts as signed out (150 ms). */
  helloTimeoutMs?: number;
}

type TabMessage =
  | { type: 'hello'; from: string }
  | { type: 'tokens'; from: string; tokens: TokenSet; signedIn: boolean }
  | { type: 'clear'; from: string }
  | { type: 'barrier'; from: string; nonce: string };

type Unsent<M> = M extends unknown ? Omit<M, 'from'> : never;

const SIGN_INS = new Set<OperationId>(tokenDeliveryOperations);
// the server answers an expired or revoked bearer token with one of these: a refresh may cure it
const REFRESHABLE = new Set(['access_token_invalid', 'unauthenticated', 'session_expired']);

/**
 * Token mode, for mobile web views, cross-site SPAs and CLIs: sign-ins ask for a token pair
 * (`delivery: 'token'`), every call carries `Authorization: Bearer` and no cookie, and the access
 * token is refreshed shortly before it expires or once after a 401. The pair is kept in memory.
 *
 * A refresh token is spent by its refresh (the server revokes a family whose spent token comes
 * back), so refreshes are single-flight: one per tab, and across tabs one at a time under a Web
 * Lock, each tab publishing its new pair on a `BroadcastChannel` that the next lock holder reads
 * before spending its own. A new tab asks the other tabs for the current pair before it counts as
 * signed out, and a sign-out in one tab signs all of them out.
 *
 * @example
 * import { createPortcullisClient, tokenTransport } from '@portcullis/client';
 *
 * const client = createPortcullisClient({
 *   baseUrl: 'https://auth.example.com/auth',
 *   transport: tokenTransport(),
 * });
 * await client.signIn({ email, password }); // keeps the pair; client.session is signed in
 */
export function tokenTransport(options: TokenTransportOptions = {}): Transport {
  const skewMs = (options.refreshSkewSeconds ?? 30) * 1000;
  const helloTimeoutMs = options.helloTimeoutMs ?? 150;
  const tabId = randomId();
  let context: TransportContext | undefined;
  let tokens: TokenSet | null = null;
  let loaded: Promise<void> | undefined;
  let isReady = false;
  let refreshing: Promise<void> | null = null;
  let tabs: { locks: LockManagerLike; tx: BroadcastChannelLike; rx: BroadcastChannelLike } | null = null;
  let lockName = '';
  const barriers = new Map<string, () => void>();
  const helloAnswered = new Set<() => void>();
  // Which sign-in the tokens belong to: a refresh keeps it, a sign-in or a sign-out (here or in
  // another tab) moves it on. A call belongs to the sign-in it was prepared in, and is never sent
  // again with the tokens of another one: that would run it as another user.
  let lineage = 0;
  const lineageOf = new WeakMap<OutgoingRequest, number>();

  function post(message: Unsent<TabMessage>): void {
    tabs?.tx.postMessage({ ...message, from: tabId });
  }

  function save(next: TokenSet | null): void {
    void Promise.resolve(options.storage?.save(next)).catch(() => {});
  }

  function keep(next: TokenSet, signedIn: boolean): void {
    if (signedIn) lineage++;
    tokens = next;
    save(next);
    post({ type: 'tokens', tokens: next, signedIn });
  }

  /** Forgets the tokens once; `notify` ends the session when nobody else does. */
  function forget({ notify }: { notify: boolean }): void {
    if (!tokens) return;
    lineage++;
    tokens = null;
    save(null);
    post({ type: 'clear' });
    if (notify) context?.signedOut();
  }

  function onMessage(message: TabMessage): void {
    if (message.from === tabId) {
      if (message.type === 'barrier') barriers.get(message.nonce)?.();
      return;
    }
    switch (message.type) {
      case 'hello':
        if (tokens) post({ type: 'tokens', tokens, signedIn: false });
        return;
      case 'tokens': {
        const had = tokens;
        const newer =
          !had ||
          message.signedIn ||
          (message.tokens.obtainedAt >= had.obtainedAt && message.tokens.refreshToken !== had.refreshToken);
        if (!newer) return;
        if (!had || message.signedIn) lineage++;
        tokens = message.tokens;
        save(tokens);
        for (const answered of helloAnswered) answered();
        // before the first read, the store has not decided yet: it will read with these tokens
        if (isReady && (!had || message.signedIn)) context?.signedIn();
        return;
      }
      case 'clear':
        if (!tokens) return;
        lineage++;
        tokens = null;
        save(null);
        context?.signedOut();
        return;
    }
  }

  // Messages on one channel arrive in the order they were posted: once our own barrier comes
  // back, every pair another tab published before it released the lock has been read.
  function barrier(): Promise<void> {
    return new Promise((resolve) => {
      const nonce = randomId();
      const done = () => {
        clearTimeout(timer);
        barriers.delete(nonce);
        resolve();
      };
      const timer = setTimeout(done, 250);
      barriers.set(nonce, done);
      post({ type: 'barrier', nonce });
    });
  }

  async function exchange(spent: string): Promise<void> {
    if (tabs) await barrier();
    // another tab refreshed (or signed out) while this one waited for the lock
    if (tokens?.refreshToken !== spent) return;
    let pair: RefreshTokensResponse;
    try {
      pair = await (context as TransportContext).refreshTokens(spent);
    } catch (error) {
      // refused: the lineage is over (expired, revoked, reused). Anything else (the network, a
      // 429, a 5xx) may pass: keep the tokens and let the caller see the error
      if (isPortcullisClientError(error) && (error.status === 400 || error.status === 401)) {
        if (tokens?.refreshToken === spent) forget({ notify: true });
        return;
      }
      throw error;
    }
    // a sign-in or a sign-out (here or in another tab) while the pair was on its way: it renews
    // a lineage nobody holds any more, and keeping it would bring the previous user back
    if (tokens?.refreshToken !== spent) return;
    keep(tokenSetOf(pair), false);
  }

  /** One refresh at a time in this tab, and under the lock, one across tabs. */
  function refresh(): Promise<void> {
    const spent = tokens?.refreshToken;
    if (!spent) return Promise.resolve();
    refreshing ??= (tabs ? tabs.locks.request(lockName, () => exchange(spent)) : exchange(spent)).finally(
      () => {
        refreshing = null;
      },
    );
    return refreshing;
  }

  const transport: Transport = {
    kind: 'token',
    attach(attached) {
      if (context) throw new Error('tokenTransport(): this transport already serves another client');
      context = attached;
      const crossTab = options.crossTab ?? defaultCrossTab();
      if (!crossTab) return;
      lockName = `portcullis-refresh:${attached.baseUrl}`;
      const channelName = `portcullis-tokens:${attached.baseUrl}`;
      // two objects: a channel never hears its own messages, and the barrier must come back
      tabs = {
        locks: crossTab.locks,
        tx: new crossTab.BroadcastChannel(channelName),
        rx: new crossTab.BroadcastChannel(channelName),
      };
      // Node.js has BroadcastChannel too: an open channel must not keep a CLI from exiting
      for (const channel of [tabs.tx, tabs.rx]) (channel as { unref?: () => void }).unref?.();
      tabs.rx.addEventListener('message', (event) => {
        if (isTabMessage(event.data)) onMessage(event.data);
      });
    },
    ready() {
      loaded ??= (async () => {
        const stored = await Promise.resolve(options.storage?.load()).catch(() => null);
        if (stored && !tokens) tokens = stored;
        if (tabs) {
          // a stored pair may be older than the other tabs' (a restored tab): ask all the same
          const answered = new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              helloAnswered.delete(done);
              resolve();
            };
            const timer = setTimeout(done, tokens ? 0 : helloTimeoutMs);
            helloAnswered.add(done);
          });
          post({ type: 'hello' });
          await answered;
        }
        isReady = true;
      })();
      return loaded;
    },
    async prepare(request: OutgoingRequest) {
      await transport.ready?.();
      request.init.credentials = 'omit';
      if (request.body && SIGN_INS.has(request.operationId)) {
        request.body.delivery ??= 'token';
        if (options.clientId !== undefined) request.body.client_id ??= options.clientId;
      }
      if (request.operationId === 'refreshTokens') return;
      const started = lineage;
      if (tokens && tokens.expiresAt - Date.now() <= skewMs) {
        // a failure here is the call's to report: a refused refresh signed out, and a network
        // error will meet the call too
        await refresh().catch(() => {});
      }
      // another user signed in while the token was renewed: the call goes without one, and fails
      if (lineage !== started) return;
      lineageOf.set(request, started);
      if (tokens) request.init.headers.set('authorization', `Bearer ${tokens.accessToken}`);
    },
    async recover(request, status, code) {
      if (status !== 401 || !REFRESHABLE.has(code)) return false;
      const sent = request.init.headers.get('authorization')?.replace(/^Bearer /, '');
      if (!sent || !tokens) return false;
      // another call refreshed since this one was sent: just send it again
      if (tokens.accessToken === sent) await refresh();
      // unless the new token is another sign-in's: the call fails with the 401 it got
      return tokens !== null && tokens.accessToken !== sent && lineage === lineageOf.get(request);
    },
    receive(operationId, body) {
      if (SIGN_INS.has(operationId) && isTokenPair(body)) keep(tokenSetOf(body), true);
    },
    isCurrent: (request) => lineageOf.get(request) === lineage,
    hasCredentials: () => tokens !== null,
    clear() {
      forget({ notify: false });
    },
    dispose() {
      for (const done of [...barriers.values(), ...helloAnswered]) done();
      tabs?.tx.close();
      tabs?.rx.close();
      tabs = null;
    },
  };
  return transport;
}

function defaultCrossTab(): TokenTransportOptions['crossTab'] {
  const scope = globalThis as {
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: new (name: string) => BroadcastChannelLike;
  };
  const locks = scope.navigator?.locks;
  if (!locks || typeof scope.BroadcastChannel !== 'function') return false;
  return { locks, BroadcastChannel: scope.BroadcastChannel };
}

function tokenSetOf(pair: RefreshTokensResponse): TokenSet {
  const now = Date.now();
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: now + pair.expires_in * 1000,
    obtainedAt: now,
  };
}

function isTokenPair(body: unknown): body is RefreshTokensResponse {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as RefreshTokensResponse).access_token === 'string' &&
    typeof (body as RefreshTokensResponse).refresh_token === 'string'
  );
}

/**
 * Any script of the origin can post on the channel, and an older version of this library in
 * another tab may post another shape: a message is used only when every field it needs is there
 * with its type, and anything else is ignored (a listener that throws helps nobody).
 */
function isTabMessage(data: unknown): data is TabMessage {
  if (!isRecord(data) || typeof data.from !== 'string') return false;
  switch (data.type) {
    case 'hello':
    case 'clear':
      return true;
    case 'barrier':
      return typeof data.nonce === 'string';
    case 'tokens':
      return typeof data.signedIn === 'boolean' && isTokenSet(data.tokens);
    default:
      return false;
  }
}

function isTokenSet(value: unknown): value is TokenSet {
  return (
    isRecord(value) &&
    typeof value.accessToken === 'string' &&
    value.accessToken !== '' &&
    typeof value.refreshToken === 'string' &&
    value.refreshToken !== '' &&
    Number.isFinite(value.expiresAt) &&
    Number.isFinite(value.obtainedAt)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function randomId(): string {
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}
