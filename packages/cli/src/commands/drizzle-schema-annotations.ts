/** What the TypeScript of one column says beyond its SQL type. */
export interface ColumnAnnotation {
  /** The TypeScript type its values have (`$type<…>()`, or `jsonText<…>` on a JSON column). */
  type?: string;
  /** A JSDoc line above the column. */
  doc?: string;
}

/** The annotations of one table, by SQL column name. */
export interface TableAnnotation {
  /** A JSDoc line above the table. */
  doc?: string;
  columns?: Record<string, ColumnAnnotation>;
}

/**
 * The types named in {@link drizzleSchemaAnnotations} that the generated file imports from
 * `@portcullis/core/ports`; anything else in a type must be TypeScript's own.
 */
export const CORE_TYPE_NAMES: readonly string[] = [
  'ActorType',
  'ApiKeyCreditInterval',
  'ApiKeyRevocationReason',
  'ApiKeyStatus',
  'ClientAuthMethod',
  'ClientStatus',
  'InvitationStatus',
  'JsonWebKeyObject',
  'OneTimeTokenPurpose',
  'OutboxStatus',
  'Passkey',
  'StoredPolicy',
  'TenantStatus',
  'UserPool',
  'UserStatus',
];

/**
 * What the Drizzle tables know that the migrations' `TableSpec` cannot carry (its portable types
 * are SQL's, and shipped migrations are checksummed, so they stay as they are): each column's
 * TypeScript type where it is narrower than its SQL type, and the notes a reader of the schema
 * needs. Keyed by table and column name without the prefix. A column left out is typed from its
 * SQL type (`string`, `number`, `Date`, `unknown` for JSON).
 */
export const drizzleSchemaAnnotations: Record<string, TableAnnotation> = {
  api_keys: {
    columns: {
      key_hash: {
        doc: 'HMAC-SHA256 (hex) of the key under the pepper of pepper_version; the key itself is never stored.',
      },
      permissions: { type: 'string[]' },
      constraints: { doc: 'An ABAC condition (the policy language) every use must meet; null: none.' },
      status: { type: 'ApiKeyStatus' },
      revoked_reason: { type: 'ApiKeyRevocationReason' },
      rate_limit_policies: { type: 'string[]' },
      credit_refill_interval: { type: 'ApiKeyCreditInterval' },
    },
  },
  clients: {
    columns: {
      auth_method: { type: 'ClientAuthMethod' },
      secret_hash: { doc: 'SHA-256 (hex) of the current secret; the secret itself is never stored.' },
      previous_secret_hash: {
        doc: 'SHA-256 of the secret a rotation replaced, valid until previous_secret_expires_at.',
      },
      jwks: { type: 'JsonWebKeyObject[]' },
      allowed_scopes: { type: 'string[]' },
      status: { type: 'ClientStatus' },
    },
  },
  tenants: {
    columns: {
      status: { type: 'TenantStatus' },
      user_pool: { type: 'UserPool' },
      metadata: { type: 'Record<string, unknown>' },
    },
  },
  users: {
    columns: {
      pool_key: {
        doc: 'The tenant id for isolated pools, `*` for the shared pool: emails are unique per pool.',
      },
      status: { type: 'UserStatus' },
    },
  },
  memberships: {
    columns: {
      roles: { type: 'string[]' },
      attributes: { type: 'Record<string, unknown>' },
    },
  },
  roles: { columns: { permissions: { type: 'string[]' } } },
  sessions: {
    columns: {
      token_hash: { doc: 'SHA-256 of the session token; the token itself is never stored.' },
      amr: { type: 'string[]' },
      auth_time: { type: 'Record<string, number>' },
    },
  },
  audit_events: {
    columns: {
      actor_type: { type: 'ActorType' },
      data: { type: 'Record<string, unknown>' },
    },
  },
  outbox_events: {
    columns: {
      payload: { type: 'Record<string, unknown>' },
      status: { type: 'OutboxStatus' },
    },
  },
  policies: {
    columns: {
      effect: { type: "StoredPolicy['effect']" },
      actions: { type: 'string[]' },
      condition_json: {
        type: "NonNullable<StoredPolicy['condition']>",
        doc: "The policy's condition as JSON text; null when it has none.",
      },
    },
  },
  authz_versions: {
    doc: 'Per-tenant counters that key authorization caches (one row per tenant, created on first bump).',
  },
  invitations: {
    columns: {
      roles: { type: 'string[]' },
      token_hash: { doc: 'SHA-256 of the invitation token; the token itself is never stored.' },
      status: {
        type: 'InvitationStatus',
        doc: 'Before `uses`: Drizzle orders SET by column, and MySQL evaluates it left to right.',
      },
    },
  },
  one_time_tokens: {
    columns: {
      purpose: { type: 'OneTimeTokenPurpose' },
      token_hash: { doc: 'SHA-256 of the emailed token; the token itself is never stored.' },
    },
  },
  passkeys: {
    columns: {
      credential_id_hash: {
        doc: 'SHA-256 of the credential id: the unique lookup key (ids are too long to index portably).',
      },
      transports: { type: 'string[]' },
      device_type: { type: "Passkey['deviceType']" },
      backed_up: { doc: '0 or 1.' },
    },
  },
  credential_failures: {
    doc: 'Consecutive credential failures per typed account, keyed by an HMAC of it (no email stored).',
  },
  rate_limit_overrides: {
    doc: "A tenant's numbers for one rate-limit policy: tenant-wide, or for one of its API keys.",
    columns: {
      api_key_id: { doc: "The API key's id, or '' for a tenant-wide override (NULLs would not be unique)." },
      burst: { doc: 'Requests allowed at once; null: limit.' },
    },
  },
};
