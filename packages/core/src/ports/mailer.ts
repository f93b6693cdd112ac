/** An email to send. `html` is already escaped by the template that built it. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * The mailer port. Called by the outbox dispatcher, so a mailer that throws is retried.
 *
 * @example
 * const mailer: Mailer = { send: (m) => transport.sendMail({ from: 'auth@example.com', ...m }) }
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
