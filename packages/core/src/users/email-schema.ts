import { z } from 'zod';
import { FORBIDDEN_CHARACTER_MESSAGE, hasForbiddenCharacter } from '../validation.js';
import { normalizeEmail } from './users.js';

/** The longest address, counted on its normalized (NFKC, lower-cased) form, which lookups store. */
export const MAX_EMAIL_LENGTH = 254;

// NFKC first: a fullwidth ＠ must be validated as the @ it becomes, not slip through as a letter.
// Lengths are checked after normalization, on the lower-cased form too: NFKC and lower-casing
// both lengthen some text (`ﷺ` becomes 18 characters, `İ` two), and that form is what is stored.
/** An email address as every input takes it: NFKC-normalized, trimmed, then checked. */
export const emailSchema = z
  .string()
  .max(320)
  .transform((email) => email.normalize('NFKC').trim())
  .pipe(
    z
      .string()
      .min(3)
      .max(MAX_EMAIL_LENGTH)
      .refine((email) => !hasForbiddenCharacter(email), FORBIDDEN_CHARACTER_MESSAGE)
      .refine(
        (email) => normalizeEmail(email).length <= MAX_EMAIL_LENGTH,
        `longer than ${MAX_EMAIL_LENGTH} characters once lower-cased`,
      )
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address'),
  );
