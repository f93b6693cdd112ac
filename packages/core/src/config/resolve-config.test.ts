import { describe, expect, it } from 'vitest';
import type { PermissionCatalog } from '../authorization/index.js';
import { isAuthError } from '../errors.js';
import { memoryKeyValue, memoryStorage } from '../memory/index.js';
import { resolveConfig } from './resolve-config.js';

const secret = 'k3y-material-for-tests-0123456789abcdef';
const base = () => ({ storage: memoryStorage(), secret, baseURL: 'http://localhost:3000' });

function configError(config: unknown): string {
  try {
    resolveConfig(config as never);
  } catch (error) {
    if (isAuthError(error, 'config_invalid')) return error.detail ?? '';
    throw error;
  }
  throw new Error('config was accepted');
}

describe('resolveConfig', () => {
  it('fails fast on a missing or short secret', () => {
    expect(configError({ ...base(), secret: undefined })).toMatch(/secret/);
    expect(configError({ ...base(), secret: 'short' })).toMatch(/secret must be at least 32/);
    expect(configError({ ...base(), secret: 'a'.repeat(40) })).toMatch(/placeholder/);
  });

  it('fails fast on a bad base URL', () => {
    expect(configError({ ...base(), baseURL: 'not a url' })).toMatch(/baseURL/);
    expect(configError({ ...base(), baseURL: 'ftp://example.com' })).toMatch(/baseURL/);
  });

  it('names a relative page URL as a config error, not a TypeError', () => {
    // Vite sets BASE_URL=/ in the environment; an app that builds its links from it passed "/"
    expect(configError({ ...base(), invitations: { acceptUrl: '/' } })).toMatch(/invitations\.acceptUrl/);
    expect(configError({ ...base(), invitations: { acceptUrl: 'mailto:x@example.com' } })).toMatch(
      /http or https/,
    );
  });

  it('rejects unknown options, weaker argon2 costs and a storage that is not one', () => {
    expect(configError({ ...base(), sesion: {} })).toMatch(/sesion/);
    expect(configError({ ...base(), password: { argon2: { memoryCost: 4096 } } })).toMatch(/memoryCost/);
    expect(configError({ ...base(), storage: {} })).toMatch(/storage/);
  });

  it('applies secure defaults', () => {
    const config = resolveConfig(base());
    expect(config.basePath).toBe('/auth');
    expect(config.secureCookies).toBe(false);
    expect(config.password.minLength).toBe(15);
    expect(config.password.argon2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(config.session.idleTtlSeconds).toBeLessThanOrEqual(config.session.absoluteTtlSeconds);
    expect(config.trustedOrigins.has('http://localhost:3000')).toBe(true);
    expect(resolveConfig({ ...base(), baseURL: 'https://app.example.com/x' }).secureCookies).toBe(true);
  });
});

/**
 * A resolved config as plain data: URLs as their href, sets as arrays, functions by name, the
 * permission catalog by its listing. Pins every default and derived value.
 */
function plain(value: unknown): unknown {
  if (value instanceof URL) return `URL ${value.href}`;
  if (value instanceof Set) return { set: [...value].map(plain) };
  if (typeof value === 'function') return `function ${value.name}`;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    if ('listing' in value && typeof value.listing === 'function') {
      const { enforced, resources } = (value as PermissionCatalog).listing();
      return { enforced, resources: resources.map((r) => `${r.resource}: ${r.actions.join(' ')}`) };
    }
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, plain(child)]));
  }
  return value;
}

function configIssues(config: unknown): { detail: string | undefined; issues: unknown } {
  try {
    resolveConfig(config as never);
  } catch (error) {
    if (isAuthError(error, 'config_invalid')) return { detail: error.detail, issues: error.issues };
    throw error;
  }
  throw new Error('config was accepted');
}

const keyValue = memoryKeyValue();

class CrmSubscriber {
  readonly name = 'crm';
  readonly seen: string[] = [];
  handle(event: { type: string }) {
    this.seen.push(event.type);
  }
}

const acmeProvider = {
  protocol: 'oauth2' as const,
  name: 'Acme',
  issuer: 'https://acme.example.com',
  authorizationEndpoint: 'https://acme.example.com/authorize',
  tokenEndpoint: 'https://acme.example.com/token',
  clientId: 'client',
  clientSecret: 'secret',
  scopes: ['profile'],
  fetchProfile: async () => ({ subject: 's', email: null, emailVerified: false, name: null }),
};

describe('resolveConfig keeps every default and derived value (pinned before config moved into the domains)', () => {
  it('resolves a minimal config', () => {
    expect(plain(resolveConfig(base()))).toMatchInlineSnapshot(`
      {
        "apiKeys": {
          "cacheTtlSeconds": 10,
          "lastUseFlushSeconds": 60,
          "maxLifetimeSeconds": null,
          "overlapSeconds": 86400,
          "peppers": [],
          "prefix": "pc",
        },
        "authorization": {
          "cacheSize": undefined,
          "compiledCacheBytes": 67108864,
          "limits": {
            "maxConditionDepth": 8,
            "maxConditionNodes": 64,
            "maxPoliciesPerTenant": 200,
            "maxPolicyBytes": 16384,
            "maxPolicyBytesPerTenant": 262144,
            "maxRolesPerTenant": 100,
          },
          "membershipCacheSize": 50000,
          "permissions": {
            "enforced": false,
            "resources": [
              "api_key: manage",
              "audit: read",
              "client: manage",
              "invitation: manage",
              "member: attributes read remove update",
              "policy: manage",
              "role: manage",
              "tenant: delete read suspend update",
              "token: exchange impersonate",
              "webhook: manage",
            ],
          },
          "policies": [],
          "resourceAttributes": {},
          "revalidateAfterMs": 500,
        },
        "basePath": "/auth",
        "baseURL": "URL http://localhost:3000/",
        "clientAddress": {
          "header": "x-forwarded-for",
          "hops": 0,
          "trustedProxies": [],
        },
        "clients": {
          "resources": [],
          "scopes": {},
          "secretOverlapSeconds": 86400,
        },
        "emailLinks": {
          "appName": "localhost:3000",
          "emailVerificationTtlSeconds": 86400,
          "magicLinkTtlSeconds": 600,
          "magicLinkUrl": "URL http://localhost:3000/magic-link",
          "passwordResetTtlSeconds": 3600,
          "redirectAllowlist": [],
          "resetPasswordUrl": "URL http://localhost:3000/reset-password",
          "verifyEmailUrl": "URL http://localhost:3000/verify-email",
        },
        "environments": [
          "live",
          "test",
        ],
        "invitations": {
          "acceptUrl": "URL http://localhost:3000/accept-invitation",
        },
        "lockout": {
          "freeAttempts": 5,
          "maxFailures": 100,
        },
        "oauth": {
          "linking": {
            "mode": "never",
            "trustedProviders": [],
          },
          "providers": {},
          "redirectAllowlist": [],
          "stateTtlSeconds": 600,
        },
        "outbox": {
          "autoStart": true,
          "maxAttempts": 10,
          "maxReadyLagSeconds": 300,
          "pollIntervalMs": 1000,
          "subscribers": [],
        },
        "passkeys": {
          "origins": [
            "http://localhost:3000",
          ],
          "rpID": "localhost",
          "rpName": "localhost:3000",
          "timeoutSeconds": 300,
          "userVerification": "preferred",
        },
        "password": {
          "argon2": {
            "memoryCost": 19456,
            "parallelism": 1,
            "timeCost": 2,
          },
          "isBlocked": undefined,
          "maxLength": 128,
          "minLength": 15,
        },
        "rateLimit": {
          "enabled": true,
          "overrideCacheTtlSeconds": 30,
          "policies": [],
          "rules": {},
        },
        "redactLogFields": [],
        "refreshTokens": {
          "familyLifetimeSeconds": 2592000,
          "firstPartyClientId": "first-party",
          "graceSeconds": 10,
          "maxGraceReplays": 3,
          "nativeClients": [],
        },
        "secret": "k3y-material-for-tests-0123456789abcdef",
        "secretScanning": {
          "github": null,
        },
        "secureCookies": false,
        "session": {
          "absoluteTtlSeconds": 2592000,
          "cache": {
            "enabled": false,
            "l1MaxEntries": 10000,
            "l1TtlMs": 500,
            "l2TtlSeconds": 300,
          },
          "cookieName": "portcullis.session",
          "idleTtlSeconds": 604800,
          "touchIntervalSeconds": 60,
        },
        "signup": {
          "enabled": true,
          "onEmailTaken": "conflict",
        },
        "storageTimeoutMs": 10000,
        "tenants": {
          "creatorRole": "owner",
          "defaultRoles": [
            {
              "key": "owner",
              "name": "Owner",
              "permissions": [
                "*",
              ],
            },
            {
              "key": "admin",
              "name": "Admin",
              "permissions": [
                "tenant.read",
                "tenant.update",
                "member.read",
                "member.update",
                "member.remove",
                "invitation.manage",
                "role.manage",
                "policy.manage",
                "api_key.manage",
                "client.manage",
                "audit.read",
                "webhook.manage",
              ],
            },
            {
              "key": "member",
              "name": "Member",
              "permissions": [
                "tenant.read",
                "member.read",
              ],
            },
            {
              "key": "viewer",
              "name": "Viewer",
              "permissions": [
                "tenant.read",
              ],
            },
          ],
          "isolatedSignupRole": "viewer",
        },
        "tokens": {
          "accessTokenTtlSeconds": 300,
          "clockToleranceSeconds": 5,
          "issuer": "http://localhost:3000/auth",
          "signingKeys": {
            "algorithms": [
              "EdDSA",
              "ES256",
            ],
            "jwksCacheSeconds": 300,
            "keyEncryptionKeys": [],
            "rotationIntervalSeconds": 2592000,
            "rsaModulusLength": 3072,
            "signers": [],
          },
          "tenantIssuers": false,
        },
        "totp": {
          "issuer": "localhost",
        },
        "trustedOrigins": {
          "set": [
            "http://localhost:3000",
          ],
        },
      }
    `);
  });

  it('resolves a config that sets every slice', () => {
    const isBlocked = (password: string) => password.includes('acme');
    const subscriber = new CrmSubscriber();
    const rules = { signIn: { limit: 3, windowSeconds: 60 } };
    const config = resolveConfig({
      ...base(),
      baseURL: 'https://app.example.com/portal',
      keyValue,
      basePath: '/api/auth/',
      trustedOrigins: ['https://admin.example.com/some/path'],
      trustProxy: true,
      storageTimeoutMs: 2_000,
      session: {
        absoluteTtlSeconds: 3_600,
        idleTtlSeconds: 7_200,
        cookieName: 'sid',
        cache: { l1TtlMs: 100 },
      },
      password: { minLength: 12, argon2: { timeCost: 3 }, isBlocked },
      signup: { onEmailTaken: 'notify' },
      tenants: {
        defaultRoles: [
          { key: 'owner', name: 'Owner', permissions: ['*'] },
          { key: 'reader', name: 'Reader', permissions: ['tenant.read', 'document.read'] },
        ],
        isolatedSignupRole: 'reader',
      },
      invitations: { acceptUrl: 'https://app.example.com/join' },
      emailLinks: { appName: 'Acme', redirectAllowlist: ['/home'], magicLinkTtlSeconds: 300 },
      passkeys: {
        rpID: 'example.com',
        origins: ['https://app.example.com', 'https://admin.example.com:8443'],
      },
      oauth: { providers: { acme: acmeProvider }, linking: { mode: 'verified-email' } },
      rateLimit: { enabled: false, rules },
      lockout: { freeAttempts: 3 },
      outbox: { subscribers: [subscriber], autoStart: false },
      authorization: {
        permissions: { document: ['read', 'update'] },
        policies: [{ id: 'no-updates', effect: 'deny', actions: ['document.update'], resource: 'document' }],
        cacheSize: 10,
      },
    });
    expect(plain(config)).toMatchInlineSnapshot(`
      {
        "apiKeys": {
          "cacheTtlSeconds": 10,
          "lastUseFlushSeconds": 60,
          "maxLifetimeSeconds": null,
          "overlapSeconds": 86400,
          "peppers": [],
          "prefix": "pc",
        },
        "authorization": {
          "cacheSize": 10,
          "compiledCacheBytes": 67108864,
          "limits": {
            "maxConditionDepth": 8,
            "maxConditionNodes": 64,
            "maxPoliciesPerTenant": 200,
            "maxPolicyBytes": 16384,
            "maxPolicyBytesPerTenant": 262144,
            "maxRolesPerTenant": 100,
          },
          "membershipCacheSize": 50000,
          "permissions": {
            "enforced": true,
            "resources": [
              "api_key: manage",
              "audit: read",
              "client: manage",
              "document: read update",
              "invitation: manage",
              "member: attributes read remove update",
              "policy: manage",
              "role: manage",
              "tenant: delete read suspend update",
              "token: exchange impersonate",
              "webhook: manage",
            ],
          },
          "policies": [
            {
              "actions": [
                "document.update",
              ],
              "effect": "deny",
              "id": "no-updates",
              "resource": "document",
              "tenantId": null,
            },
          ],
          "resourceAttributes": {},
          "revalidateAfterMs": 500,
        },
        "basePath": "/api/auth",
        "baseURL": "URL https://app.example.com/portal",
        "clientAddress": {
          "header": "x-forwarded-for",
          "hops": 1,
          "trustedProxies": [],
        },
        "clients": {
          "resources": [],
          "scopes": {},
          "secretOverlapSeconds": 86400,
        },
        "emailLinks": {
          "appName": "Acme",
          "emailVerificationTtlSeconds": 86400,
          "magicLinkTtlSeconds": 300,
          "magicLinkUrl": "URL https://app.example.com/portal/magic-link",
          "passwordResetTtlSeconds": 3600,
          "redirectAllowlist": [
            "/home",
          ],
          "resetPasswordUrl": "URL https://app.example.com/portal/reset-password",
          "verifyEmailUrl": "URL https://app.example.com/portal/verify-email",
        },
        "environments": [
          "live",
          "test",
        ],
        "invitations": {
          "acceptUrl": "URL https://app.example.com/join",
        },
        "lockout": {
          "freeAttempts": 3,
          "maxFailures": 100,
        },
        "oauth": {
          "linking": {
            "mode": "verified-email",
            "trustedProviders": [
              "acme",
            ],
          },
          "providers": {
            "acme": {
              "authorizationEndpoint": "https://acme.example.com/authorize",
              "clientId": "client",
              "clientSecret": "secret",
              "fetchProfile": "function fetchProfile",
              "issuer": "https://acme.example.com",
              "name": "Acme",
              "protocol": "oauth2",
              "scopes": [
                "profile",
              ],
              "tokenEndpoint": "https://acme.example.com/token",
            },
          },
          "redirectAllowlist": [
            "/home",
          ],
          "stateTtlSeconds": 600,
        },
        "outbox": {
          "autoStart": false,
          "maxAttempts": 10,
          "maxReadyLagSeconds": 300,
          "pollIntervalMs": 1000,
          "subscribers": [
            {
              "name": "crm",
              "seen": [],
            },
          ],
        },
        "passkeys": {
          "origins": [
            "https://app.example.com",
            "https://admin.example.com:8443",
          ],
          "rpID": "example.com",
          "rpName": "Acme",
          "timeoutSeconds": 300,
          "userVerification": "preferred",
        },
        "password": {
          "argon2": {
            "memoryCost": 19456,
            "parallelism": 1,
            "timeCost": 3,
          },
          "isBlocked": "function isBlocked",
          "maxLength": 128,
          "minLength": 12,
        },
        "rateLimit": {
          "enabled": false,
          "overrideCacheTtlSeconds": 30,
          "policies": [],
          "rules": {
            "signIn": {
              "limit": 3,
              "windowSeconds": 60,
            },
          },
        },
        "redactLogFields": [],
        "refreshTokens": {
          "familyLifetimeSeconds": 2592000,
          "firstPartyClientId": "first-party",
          "graceSeconds": 10,
          "maxGraceReplays": 3,
          "nativeClients": [],
        },
        "secret": "k3y-material-for-tests-0123456789abcdef",
        "secretScanning": {
          "github": null,
        },
        "secureCookies": true,
        "session": {
          "absoluteTtlSeconds": 3600,
          "cache": {
            "enabled": true,
            "l1MaxEntries": 10000,
            "l1TtlMs": 100,
            "l2TtlSeconds": 300,
          },
          "cookieName": "sid",
          "idleTtlSeconds": 3600,
          "touchIntervalSeconds": 60,
        },
        "signup": {
          "enabled": true,
          "onEmailTaken": "notify",
        },
        "storageTimeoutMs": 2000,
        "tenants": {
          "creatorRole": "owner",
          "defaultRoles": [
            {
              "key": "owner",
              "name": "Owner",
              "permissions": [
                "*",
              ],
            },
            {
              "key": "reader",
              "name": "Reader",
              "permissions": [
                "tenant.read",
                "document.read",
              ],
            },
          ],
          "isolatedSignupRole": "reader",
        },
        "tokens": {
          "accessTokenTtlSeconds": 300,
          "clockToleranceSeconds": 5,
          "issuer": "https://app.example.com/portal/api/auth",
          "signingKeys": {
            "algorithms": [
              "EdDSA",
              "ES256",
            ],
            "jwksCacheSeconds": 300,
            "keyEncryptionKeys": [],
            "rotationIntervalSeconds": 2592000,
            "rsaModulusLength": 3072,
            "signers": [],
          },
          "tenantIssuers": false,
        },
        "totp": {
          "issuer": "Acme",
        },
        "trustedOrigins": {
          "set": [
            "https://app.example.com",
            "https://admin.example.com",
          ],
        },
      }
    `);
    // function-valued options and objects with behaviour reach the domains untouched
    expect(config.password.isBlocked).toBe(isBlocked);
    expect(config.outbox.subscribers[0]).toBe(subscriber);
    expect(config.oauth.providers.acme).toBe(acmeProvider);
    expect(config.rateLimit.rules).toBe(rules);
  });

  it('derives the OAuth allowlist from the email links and clamps session times', () => {
    const config = resolveConfig({
      ...base(),
      emailLinks: { redirectAllowlist: ['/a', 'https://app.example.com/b'] },
      oauth: { providers: { acme: acmeProvider } },
      session: { absoluteTtlSeconds: 600, touchIntervalSeconds: 900 },
    });
    expect(config.oauth.redirectAllowlist).toEqual(['/a', 'https://app.example.com/b']);
    expect(config.oauth.redirectAllowlist).not.toBe(config.emailLinks.redirectAllowlist);
    expect(config.oauth.linking.trustedProviders).toEqual(['acme']);
    expect(config.session).toMatchObject({ idleTtlSeconds: 600, touchIntervalSeconds: 300 });
    expect(config.passkeys.rpName).toBe('localhost:3000');
  });

  it('reports the same issues for bad configs', () => {
    const bad: unknown[] = [
      {
        ...base(),
        session: { cache: { l1TtlMs: 5_000, extra: 1 } },
        password: { minLength: 4, isBlocked: 'no', argon2: { parallelism: 0 } },
      },
      {
        ...base(),
        emailLinks: { appname: 'x', redirectAllowlist: ['//evil.example'], passwordResetTtlSeconds: 7_200 },
      },
      {
        ...base(),
        oauth: {
          providers: { Bad: acmeProvider, token: acmeProvider, ok: { ...acmeProvider, fetchProfile: 1 } },
          linking: { trustedProviders: ['nope'] },
        },
      },
      { ...base(), oauth: {} },
      { ...base(), outbox: { subscribers: [{ name: '', handle: 1 }], pollIntervalMs: 1 } },
      { ...base(), rateLimit: { rules: { signIn: { limit: 0 }, made_up: { limit: 1, windowSeconds: 1 } } } },
      { ...base(), trustProxy: 11, basePath: 'auth', trustedOrigins: ['nope'], keyValue: {}, clock: {} },
      { ...base(), tenants: { creatorRole: 'boss' } },
      { ...base(), authorization: { policies: [{ effect: 'allow' }] } },
      {
        ...base(),
        authorization: {
          permissions: { document: ['read'] },
          policies: [{ id: 'p', effect: 'deny', actions: ['report.read'], resource: 'report' }],
        },
        tenants: {
          defaultRoles: [{ key: 'owner', name: 'Owner', permissions: ['*', 'document.write'] }],
          isolatedSignupRole: 'owner',
        },
      },
      { ...base(), passkeys: { rpID: 'example.com', origins: ['https://evil.test'] } },
      {
        ...base(),
        passkeys: { rpID: 'https://example.com', timeoutSeconds: 301, userVerification: 'always' },
      },
    ];
    expect(bad.map(configIssues)).toMatchInlineSnapshot(`
      [
        {
          "detail": "session.cache.l1TtlMs Too big: expected number to be <=1000; session.cache Unrecognized key: "extra"; password.minLength Too small: expected number to be >=8; password.argon2.parallelism Too small: expected number to be >=1; password.isBlocked Invalid input: expected function, received string",
          "issues": [
            {
              "message": "Too big: expected number to be <=1000",
              "path": "session.cache.l1TtlMs",
            },
            {
              "message": "Unrecognized key: "extra"",
              "path": "session.cache",
            },
            {
              "message": "Too small: expected number to be >=8",
              "path": "password.minLength",
            },
            {
              "message": "Too small: expected number to be >=1",
              "path": "password.argon2.parallelism",
            },
            {
              "message": "Invalid input: expected function, received string",
              "path": "password.isBlocked",
            },
          ],
        },
        {
          "detail": "emailLinks.redirectAllowlist.0 a path must start with exactly one "/"; emailLinks.passwordResetTtlSeconds Too big: expected number to be <=3600; emailLinks Unrecognized key: "appname"",
          "issues": [
            {
              "message": "a path must start with exactly one "/"",
              "path": "emailLinks.redirectAllowlist.0",
            },
            {
              "message": "Too big: expected number to be <=3600",
              "path": "emailLinks.passwordResetTtlSeconds",
            },
            {
              "message": "Unrecognized key: "appname"",
              "path": "emailLinks",
            },
          ],
        },
        {
          "detail": "oauth.providers.Bad Invalid key in record; oauth.providers.token Invalid key in record; oauth.providers.ok.fetchProfile Invalid input: expected function, received number",
          "issues": [
            {
              "message": "Invalid key in record",
              "path": "oauth.providers.Bad",
            },
            {
              "message": "Invalid key in record",
              "path": "oauth.providers.token",
            },
            {
              "message": "Invalid input: expected function, received number",
              "path": "oauth.providers.ok.fetchProfile",
            },
          ],
        },
        {
          "detail": "oauth.providers Invalid input: expected record, received undefined",
          "issues": [
            {
              "message": "Invalid input: expected record, received undefined",
              "path": "oauth.providers",
            },
          ],
        },
        {
          "detail": "outbox.subscribers.0.name Too small: expected string to have >=1 characters; outbox.subscribers.0.handle Invalid input: expected function, received number; outbox.pollIntervalMs Too small: expected number to be >=10",
          "issues": [
            {
              "message": "Too small: expected string to have >=1 characters",
              "path": "outbox.subscribers.0.name",
            },
            {
              "message": "Invalid input: expected function, received number",
              "path": "outbox.subscribers.0.handle",
            },
            {
              "message": "Too small: expected number to be >=10",
              "path": "outbox.pollIntervalMs",
            },
          ],
        },
        {
          "detail": "rateLimit.rules.signIn.limit Too small: expected number to be >=1; rateLimit.rules.signIn.windowSeconds Invalid input: expected number, received undefined; rateLimit.rules Unrecognized key: "made_up"",
          "issues": [
            {
              "message": "Too small: expected number to be >=1",
              "path": "rateLimit.rules.signIn.limit",
            },
            {
              "message": "Invalid input: expected number, received undefined",
              "path": "rateLimit.rules.signIn.windowSeconds",
            },
            {
              "message": "Unrecognized key: "made_up"",
              "path": "rateLimit.rules",
            },
          ],
        },
        {
          "detail": "keyValue must implement get, set, increment, getAndDelete, publish, subscribe; basePath must start with / and contain only path characters; trustedOrigins.0 Invalid URL; trustProxy Too big: expected number to be <=10; clock must implement now",
          "issues": [
            {
              "message": "must implement get, set, increment, getAndDelete, publish, subscribe",
              "path": "keyValue",
            },
            {
              "message": "must start with / and contain only path characters",
              "path": "basePath",
            },
            {
              "message": "Invalid URL",
              "path": "trustedOrigins.0",
            },
            {
              "message": "Too big: expected number to be <=10",
              "path": "trustProxy",
            },
            {
              "message": "must implement now",
              "path": "clock",
            },
          ],
        },
        {
          "detail": "tenants: role "boss" is not among the default roles",
          "issues": undefined,
        },
        {
          "detail": "authorization.policies.0: actions Invalid input: expected array, received undefined; resource Invalid input: expected string, received undefined; id Invalid input: expected string, received undefined",
          "issues": undefined,
        },
        {
          "detail": "not in authorization.permissions: tenants.defaultRoles.0.permissions.1 "write" is not an action of "document" (read); authorization.policies.0.actions.0 unknown resource "report"; authorization.policies.0.resource unknown resource "report"",
          "issues": [
            {
              "message": ""write" is not an action of "document" (read)",
              "path": "tenants.defaultRoles.0.permissions.1",
            },
            {
              "message": "unknown resource "report"",
              "path": "authorization.policies.0.actions.0",
            },
            {
              "message": "unknown resource "report"",
              "path": "authorization.policies.0.resource",
            },
          ],
        },
        {
          "detail": "passkeys.origins: https://evil.test not on rpID "example.com" or a subdomain of it",
          "issues": undefined,
        },
        {
          "detail": "passkeys.rpID must be a lower-case domain name such as example.com (no scheme, no port); passkeys.userVerification Invalid option: expected one of "required"|"preferred"|"discouraged"; passkeys.timeoutSeconds Too big: expected number to be <=300",
          "issues": [
            {
              "message": "must be a lower-case domain name such as example.com (no scheme, no port)",
              "path": "passkeys.rpID",
            },
            {
              "message": "Invalid option: expected one of "required"|"preferred"|"discouraged"",
              "path": "passkeys.userVerification",
            },
            {
              "message": "Too big: expected number to be <=300",
              "path": "passkeys.timeoutSeconds",
            },
          ],
        },
      ]
    `);
  });
});
