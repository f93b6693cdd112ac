import type { Auth } from '@portcullis/core';

/**
 * An `Auth` instance, or a function returning one (or a promise of one). Next.js evaluates route
 * modules during `next build`, so an app that connects to its database or applies migrations
 * before creating `Auth` passes a function: nothing then runs until the first request. The
 * function is called on every use; memoize it (see the example).
 *
 * @example
 * let ready: Promise<Auth> | undefined
 * const getAuth = () => (ready ??= connectAndMigrate().then((storage) => createAuth({ storage, ... })))
 * export const { GET, POST } = toNextHandler(getAuth)
 */
export type AuthSource = Auth | (() => Auth | Promise<Auth>);

export function resolveAuth(source: AuthSource): Auth | Promise<Auth> {
  return typeof source === 'function' ? source() : source;
}
