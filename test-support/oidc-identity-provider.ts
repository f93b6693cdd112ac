import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** What `signInThroughProvider` needs of a Portcullis instance (`Auth` from the core root). */
interface AppUnderTest {
  handler(request: Request, options: { clientIp: string }): Promise<Response>;
  sessionCookieName: string;
}

/** A person at the test identity provider. */
export interface IdpAccount {
  sub: string;
  email: string;
  emailVerified: boolean;
  name?: string;
}

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next login interaction signs in as. */
  loginAs(account: IdpAccount): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (`oidc-provider`) on a random loopback port: one confidential
 * client (`client_secret_post`) whose redirect URIs are `redirectUris`, PKCE required for every
 * authorization request, and login + consent completed programmatically by a small interaction
 * handler (as a person clicking "continue" would) for the account set with `loginAs`.
 */
export async function startTestIdentityProvider(options: {
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
}): Promise<TestIdentityProvider> {
  const clientId = options.clientId ?? 'portcullis-test';
  const clientSecret = options.clientSecret ?? 'test-client-secret-0123456789abcdef';
  const accounts = new Map<string, IdpAccount>();
  let next: IdpAccount | undefined;

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    // every authorization request must carry an S256 challenge, confidential client or not
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['oidc-test-cookie-key-0123456789abcdef'] },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: account.emailVerified,
            ...(account.name ? { name: account.name } : {}),
          };
        },
      };
    },
  });
  const callback = provider.callback();

  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) {
      callback(req, res);
      return;
    }
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const account = next;
        if (!account) throw new Error('test IdP: call loginAs() before a login');
        accounts.set(account.sub, account);
        const grant = new provider.Grant({ accountId: account.sub, clientId });
        grant.addOIDCScope(String(details.params.scope ?? 'openid'));
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: account.sub }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    })();
  };

  return {
    issuer,
    clientId,
    clientSecret,
    loginAs(account) {
      next = account;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A person's whole provider sign-in in a fresh browser: starts at the app's `/oauth/<provider>`
 * route under `appOrigin` + `/auth`, follows the provider's redirects with its own cookie jar (one
 * for the app, one for the provider) until the app's callback, and returns the app's answer to the
 * callback with the session cookie it set, if any.
 */
export async function signInThroughProvider(
  auth: AppUnderTest,
  idp: TestIdentityProvider,
  person: IdpAccount,
  options: { appOrigin: string; provider?: string },
): Promise<{ response: Response; session: string | undefined; cookie: string | null }> {
  const provider = options.provider ?? 'acme';
  const callback = `${options.appOrigin}/auth/oauth/${provider}/callback`;
  const appJar = new Map<string, string>();
  const idpJar = new Map<string, string>();
  const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (jar: Map<string, string>, headers: Headers) => {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const app = async (url: string) => {
    const response = await auth.handler(new Request(url, { headers: { cookie: header(appJar) } }), {
      clientIp: '127.0.0.1',
    });
    keep(appJar, response.headers);
    return response;
  };
  idp.loginAs(person);
  let next = (await app(`${options.appOrigin}/auth/oauth/${provider}`)).headers.get('location')!;
  while (!next.startsWith(callback)) {
    const response = await fetch(next, { headers: { cookie: header(idpJar) }, redirect: 'manual' });
    keep(idpJar, response.headers);
    next = new URL(response.headers.get('location')!, next).href;
  }
  const response = await app(next);
  const session = appJar.get(auth.sessionCookieName);
  return { response, session, cookie: session ? `${auth.sessionCookieName}=${session}` : null };
}
