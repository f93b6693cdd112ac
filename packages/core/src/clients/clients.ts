/** A public JSON Web Key (RFC 7517) as a client registers it: `kty` and its parameters. */
export interface JsonWebKeyObject {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  readonly [parameter: string]: unknown;
}

/** Whether a client may still authenticate. A deleted client is kept (its id is never reused). */
export type ClientStatus = 'active' | 'deleted';

/**
 * How a client proves itself at the token endpoint: a secret (`client_secret_basic` or
 * `client_secret_post`, RFC 6749 §2.3.1), or a JWT signed with one of its registered keys
 * (`private_key_jwt`, RFC 7523).
 */
export type ClientAuthMethod = 'client_secret' | 'private_key_jwt';

/**
 * A machine-to-machine client of one tenant and one environment (OAuth 2.0 client credentials
 * grant). Its id is the `client_id`. Secrets are random (256 bits) and only their SHA-256 is
 * stored; during a rotation's overlap the previous secret stays valid until
 * `previousSecretExpiresAt`, and its last use stays visible.
 */
export interface Client {
  id: string;
  tenantId: string;
  environment: string;
  name: string;
  authMethod: ClientAuthMethod;
  /** SHA-256 (hex) of the current secret; null for a `private_key_jwt` client. */
  secretHash: string | null;
  secretCreatedAt: Date | null;
  secretLastUsedAt: Date | null;
  /** SHA-256 of the secret a rotation replaced, valid until `previousSecretExpiresAt`. */
  previousSecretHash: string | null;
  previousSecretExpiresAt: Date | null;
  previousSecretLastUsedAt: Date | null;
  /** The public keys of a `private_key_jwt` client (a JWK Set's `keys`); null otherwise. */
  jwks: JsonWebKeyObject[] | null;
  /** The scopes it may ask for; each maps to permissions (`clients.scopes`). */
  allowedScopes: string[];
  status: ClientStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When it last authenticated (coalesced: written at most once a minute). */
  lastUsedAt: Date | null;
}

/** Which of a client's secrets a use was with. */
export type ClientSecretSlot = 'current' | 'previous';

/** A client as the API shows it: no secret hashes. */
export interface ClientSummary {
  id: string;
  tenantId: string;
  environment: string;
  name: string;
  authMethod: ClientAuthMethod;
  allowedScopes: string[];
  jwks: JsonWebKeyObject[] | null;
  status: ClientStatus;
  secretCreatedAt: Date | null;
  secretLastUsedAt: Date | null;
  /** Set while a rotated-out secret is still accepted. */
  previousSecret: { expiresAt: Date; lastUsedAt: Date | null } | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
}

/** The summary of a client at `now` (a previous secret past its overlap is not shown). */
export function summarizeClient(client: Client, now: Date): ClientSummary {
  const previousValid =
    client.previousSecretHash !== null &&
    client.previousSecretExpiresAt !== null &&
    client.previousSecretExpiresAt.getTime() > now.getTime();
  return {
    id: client.id,
    tenantId: client.tenantId,
    environment: client.environment,
    name: client.name,
    authMethod: client.authMethod,
    allowedScopes: client.allowedScopes,
    jwks: client.jwks,
    status: client.status,
    secretCreatedAt: client.secretCreatedAt,
    secretLastUsedAt: client.secretLastUsedAt,
    previousSecret:
      previousValid && client.previousSecretExpiresAt
        ? { expiresAt: client.previousSecretExpiresAt, lastUsedAt: client.previousSecretLastUsedAt }
        : null,
    createdBy: client.createdBy,
    createdAt: client.createdAt,
    updatedAt: client.updatedAt,
    lastUsedAt: client.lastUsedAt,
  };
}
