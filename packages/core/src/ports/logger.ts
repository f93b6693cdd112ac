export type LogFields = Record<string, unknown>;

/**
 * The logger port (structured). Portcullis never passes secrets in `fields`; tokens, passwords
 * and hashes are redacted before they reach it.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Writes warnings and errors to the console as one JSON object a line. */
export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
