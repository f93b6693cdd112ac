import { z } from 'zod';

/** The most alerts one request may carry: GitHub batches matches, far below this. */
export const MAX_LEAKS_PER_REPORT = 1000;

/**
 * GitHub's alert body: an array of matches. Fields GitHub may add later are ignored; the token is
 * bounded well above any key this format makes (a longer one is simply not ours).
 */
export const gitHubLeakReportSchema = z
  .array(
    z.object({
      token: z.string().min(1).max(1024),
      type: z.string().min(1).max(256),
      url: z.string().max(4096).optional(),
      source: z.string().max(256).optional(),
    }),
  )
  .max(MAX_LEAKS_PER_REPORT);

export type GitHubLeak = z.output<typeof gitHubLeakReportSchema>[number];
