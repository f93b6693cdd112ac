import type { Mailer, MailMessage } from '../ports/mailer.js';

export interface ConsoleMailerOptions {
  /**
   * Print links with their tokens. Default false: token values are replaced by `[redacted]`, so
   * that logs shipped elsewhere never hold a working link. Turn on only on a developer machine.
   */
  showLinks?: boolean;
  /** Where lines go. Default `console.info`. */
  write?: (line: string) => void;
}

// a token rides in a `token=` query parameter (any other secret parameter is redacted too)
const SECRET_PARAMETER = /([?&](?:token|code)=)[^&\s"'<>]+/g;

/** The message's subject and text with token values in links replaced by `[redacted]`. */
export function redactLinks(text: string): string {
  return text.replace(SECRET_PARAMETER, '$1[redacted]');
}

/**
 * A mailer for development that prints each message (recipient, subject and plain text) instead
 * of sending it. Links are redacted unless `showLinks` is set.
 *
 * @example
 * const auth = createAuth({ storage, secret, baseURL, mailer: consoleMailer({ showLinks: true }) })
 */
export function consoleMailer(options: ConsoleMailerOptions = {}): Mailer {
  const write = options.write ?? ((line: string) => console.info(line));
  const show = (value: string) => (options.showLinks ? value : redactLinks(value));
  return {
    async send(message: MailMessage) {
      write(
        `[mail] to: ${message.to}\n[mail] subject: ${show(message.subject)}\n${show(message.text)}\n[mail] end`,
      );
    },
  };
}
