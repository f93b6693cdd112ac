import { z } from 'zod';

/**
 * A schema that checks a value with `schema` (same issues, same paths) and then hands on the
 * value itself, typed `T`. Parsing with `schema` would hand on a copy: a class instance would
 * lose its prototype (so its methods), and `z.function()` wraps the function it checks. For
 * options that carry behaviour: outbox subscribers, OAuth providers, callbacks.
 *
 * @example
 * subscribers: z.array(checkedAs<OutboxSubscriber>(outboxSubscriberSchema)).default([])
 */
export function checkedAs<T>(schema: z.ZodType): z.ZodCustom<T, T> {
  return z.custom<T>().superRefine((value, ctx) => {
    const result = schema.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue });
  });
}
