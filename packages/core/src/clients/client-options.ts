import { z } from 'zod';
import { actionPatternSchema } from '../authorization/index.js';
import { httpUrlSchema } from '../http-url-schema.js';

/** An OAuth scope (RFC 6749 §3.3 scope-token), kept to characters safe in logs and claims. */
export const scopeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._/-]{0,63}$/, 'must be 1-64 characters: letters, digits and : . _ / -');

const clientsShape = {
  /**
   * The scopes M2M clients may be given, each mapped to the permissions it grants (the same
   * `resource.action` patterns roles use). A client's token carries scopes; when it acts, the
   * authorization engine decides with the permissions of those scopes, and never beyond them.
   * Default: no scopes.
   *
   * @example
   * scopes: { 'invoices:read': ['invoice.read'], 'invoices:write': ['invoice.create', 'invoice.update'] }
   */
  scopes: z.record(scopeNameSchema, z.array(actionPatternSchema).max(100)).default({}),
  /**
   * The resource servers a client may ask a token for (RFC 8707 `resource`, which becomes the
   * token's `aud`): absolute URLs, matched exactly. Any other is `invalid_target`. Without one,
   * the token's audience is the issuer. Default: none.
   */
  resources: z
    .array(httpUrlSchema.refine((u) => !u.includes('#'), 'must not have a fragment'))
    .max(100)
    .default([]),
  /** How long a rotated-out secret stays valid by default. Default 86400 (one day), at most 30 days. */
  secretOverlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
};

// typed by its shape so that the published .d.ts keeps each option's JSDoc
/** `AuthConfig['clients']`: the scopes M2M clients may hold, and secret rotation. */
export const clientsOptionsSchema: z.ZodObject<typeof clientsShape, z.core.$strict> =
  z.strictObject(clientsShape);

/** The `clients` options an app writes. */
export type ClientsOptions = z.input<typeof clientsOptionsSchema>;

/** What the clients domain receives. */
export type ResolvedClientsOptions = z.output<typeof clientsOptionsSchema>;
