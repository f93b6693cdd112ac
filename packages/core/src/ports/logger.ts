export type LogFields = Record<string, unknown>;

/** One level of the logger: pino's `(fields, message)` call shape. */
export type LogFn = (fields: LogFields, message?: string) => void;

/**
 * The logger port (structured), shaped like pino so a pino logger is one: `logger: pino()`.
 * Portcullis always calls `level(fields, message)`, where `fields.event` is a fixed name from
 * `LOG_EVENTS` (`portcullis.outbox.dispatch_failed`), `message` a sentence for people, and the
 * request's `requestId` and `traceId` are bound when there is one. Fields and message are
 * redacted before they reach it (passwords, tokens, keys, cookies; secrets inside strings too;
 * control characters escaped): see docs/observability.md.
 *
 * @example
 * import pino from 'pino';
 * createAuth({ storage, secret, baseURL, logger: pino({ level: 'info' }) });
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** Writes warnings and errors to the console as one JSON object a line. */
export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (fields, message) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (fields, message) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
