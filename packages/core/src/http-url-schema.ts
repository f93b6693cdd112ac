import { z } from 'zod';

/** An absolute `http:` or `https:` URL, such as a page of the app that a mail links to. */
export const httpUrlSchema = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'must use http or https');
