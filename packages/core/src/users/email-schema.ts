import { z } from 'zod';

// NFKC first: a fullwidth ＠ must be validated as the @ it becomes, not slip through as a letter
/** An email address as every input takes it: NFKC-normalized, trimmed, then checked. */
export const emailSchema = z
  .string()
  .max(320)
  .transform((email) => email.normalize('NFKC').trim())
  .pipe(
    z
      .string()
      .min(3)
      .max(254)
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address'),
  );
