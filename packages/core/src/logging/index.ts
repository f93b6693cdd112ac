export { createEventLogger, type EventLogger, silentEventLogger } from './event-logger.js';
export { LOG_EVENTS, type LogEvent } from './log-events.js';
export { currentLogScope, runInLogScope } from './log-scope.js';
export {
  createLogRedactor,
  DEFAULT_REDACTED_FIELDS,
  type LogRedactionOptions,
  REDACTED,
  redactLogString,
} from './redact-log-value.js';
