import { z } from 'zod';
import { AuthError, type StepUpRequirement } from '../errors.js';
import type { Session } from './sessions.js';

/** The longest `maxAgeSeconds` accepted: longer than any session lives. */
const MAX_AGE_LIMIT_SECONDS = 400 * 86_400;

// methods end up inside the quoted string of a WWW-Authenticate header: tokens only
const methodSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'an amr value such as pwd, otp or hwk');

const stepUpRequirementSchema = z
  .object({
    maxAgeSeconds: z.number().int().min(0).max(MAX_AGE_LIMIT_SECONDS),
    methods: z.array(methodSchema).min(1).max(20).optional(),
  })
  .strict();

/**
 * Throws `AuthError('step_up_required')`, carrying the requirement, unless the session's user
 * authenticated within `maxAgeSeconds` of `now` — by one of `methods` when they are given, by any
 * method otherwise. Times are the session's `authTime` (epoch seconds), which sign-in and
 * `reauthenticate` maintain. A requirement that is not valid is the app's mistake:
 * `config_invalid`.
 *
 * @example
 * checkStepUp(session, { maxAgeSeconds: 300 }, clock.now()) // password (or anything) in the last 5 min
 * checkStepUp(session, { maxAgeSeconds: 900, methods: ['otp', 'hwk'] }, clock.now())
 */
export function checkStepUp(
  session: Pick<Session, 'authTime'>,
  requirement: StepUpRequirement,
  now: Date,
): void {
  const parsed = stepUpRequirementSchema.safeParse(requirement);
  if (!parsed.success) {
    throw new AuthError('config_invalid', {
      detail: `step-up requirement: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    });
  }
  const { maxAgeSeconds, methods } = parsed.data;
  const considered = methods ?? Object.keys(session.authTime);
  let latest: number | undefined;
  for (const method of considered) {
    const time = Object.hasOwn(session.authTime, method) ? session.authTime[method] : undefined;
    if (typeof time === 'number' && (latest === undefined || time > latest)) latest = time;
  }
  const ageSeconds = latest === undefined ? undefined : Math.floor(now.getTime() / 1000) - latest;
  if (ageSeconds !== undefined && ageSeconds <= maxAgeSeconds) return;
  const which = methods ? ` with one of: ${methods.join(', ')}` : '';
  throw new AuthError('step_up_required', {
    detail: `authenticate again${which} (at most ${maxAgeSeconds} seconds ago)`,
    stepUp: { maxAgeSeconds, ...(methods ? { methods } : {}) },
  });
}
