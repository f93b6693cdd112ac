import { z } from 'zod';

/** An absolute `http:` or `https:` URL, such as a page of the app that a mail links to. */
export const httpUrlSchema = z
  .string()
  .url()
  // zod runs a refinement even after .url() failed: parse safely
  .refine((u) => /^https?:$/.test(URL.parse(u)?.protocol ?? 'http:'), 'must use http or https');
