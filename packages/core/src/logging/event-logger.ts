import type { LogFields, Logger } from '../ports/logger.js';
import { LOG_EVENTS, type LogEvent } from './log-events.js';
import { currentLogScope } from './log-scope.js';
import { createLogRedactor, type LogRedactionOptions } from './redact-log-value.js';

/**
 * What Portcullis's own code logs through: an event name from `LOG_EVENTS` and fields. It adds
 * the request's bindings (`requestId`, `traceId`), redacts everything, and hands the app's
 * `Logger` pino's call shape: `(fields, message)`.
 */
export interface EventLogger {
  debug(event: LogEvent, fields?: LogFields): void;
  info(event: LogEvent, fields?: LogFields): void;
  warn(event: LogEvent, fields?: LogFields): void;
  error(event: LogEvent, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Wraps the app's logger: the only way a log line leaves Portcullis. */
export function createEventLogger(logger: Logger, options: LogRedactionOptions = {}): EventLogger {
  const redact = createLogRedactor(options);
  const write = (level: (typeof LEVELS)[number]) => (event: LogEvent, fields?: LogFields) => {
    const line = redact({ event, ...currentLogScope(), ...fields }) as LogFields;
    try {
      logger[level](line, LOG_EVENTS[event]);
    } catch {
      // a logger that throws must not fail the request or the background work that logged
    }
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** An event logger that says nothing: for units built outside `createAuth` in tests. */
export const silentEventLogger: EventLogger = createEventLogger({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
