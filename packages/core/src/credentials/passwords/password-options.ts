import { z } from 'zod';
import { checkedAs } from '../../checked-as.js';
import { MIN_ARGON2_PARAMS } from './password-hasher.js';

/** NIST SP 800-63B-4 §3.1.1.2: 15 characters when the password is the only factor. */
export const DEFAULT_MIN_PASSWORD_LENGTH = 15;
/** NIST asks verifiers to allow at least 64; longer inputs only cost hashing time. */
export const DEFAULT_MAX_PASSWORD_LENGTH = 128;

const argon2Shape = {
  /** Memory in KiB. Default and minimum 19456. */
  memoryCost: z.number().int().min(MIN_ARGON2_PARAMS.memoryCost).default(MIN_ARGON2_PARAMS.memoryCost),
  /** Iterations. Default and minimum 2. */
  timeCost: z.number().int().min(MIN_ARGON2_PARAMS.timeCost).default(MIN_ARGON2_PARAMS.timeCost),
  /** Lanes. Default 1. */
  parallelism: z.number().int().min(1).max(16).default(MIN_ARGON2_PARAMS.parallelism),
};
// typed by its shape (here and below) so that the published .d.ts keeps each option's JSDoc
const argon2Schema: z.ZodObject<typeof argon2Shape, z.core.$strict> = z.strictObject(argon2Shape);

const passwordShape = {
  /** Default 15 (NIST 800-63B-4 single factor); not below 8. */
  minLength: z.number().int().min(8).max(64).default(DEFAULT_MIN_PASSWORD_LENGTH),
  /** Default 128; not below 64. */
  maxLength: z.number().int().min(64).max(1024).default(DEFAULT_MAX_PASSWORD_LENGTH),
  /** argon2id cost; never weaker than m=19456 KiB, t=2, p=1. */
  argon2: argon2Schema.prefault({}),
  // resolved, the key is always there (`undefined` when unset), as `ResolvedConfig` declares it
  /** An extra blocklist check, e.g. against a breached-password corpus. */
  isBlocked: checkedAs<(password: string) => boolean | Promise<boolean>>(z.function())
    .optional()
    .prefault(undefined),
};

/** `AuthConfig['password']`: the password policy and the hashing cost. */
export const passwordOptionsSchema: z.ZodObject<typeof passwordShape, z.core.$strict> =
  z.strictObject(passwordShape);

/** The `password` options an app writes. */
export type PasswordOptions = z.input<typeof passwordOptionsSchema>;
/** The password options after defaults: what the password domain receives. */
export type ResolvedPasswordOptions = z.output<typeof passwordOptionsSchema>;
