import type { SealedBox } from '../crypto/sealed-box.js';
import type { EventLogger } from '../logging/event-logger.js';
import { cleanMailHeaders, escapeHtml } from '../mail/index.js';
import type { Mailer, MailMessage } from '../ports/mailer.js';
import type { OutboxSubscriber } from './outbox-dispatcher.js';

/**
 * The `mail` an outbox event may carry. Outbox rows are stored in clear, so a message that must
 * contain a secret (an invitation link with its token) carries it in `sealed` — encrypted with a
 * key derived from the server secret — and names it `{{name}}` in `subject`, `text` or `html`;
 * the subscriber opens it only at delivery time.
 */
export interface OutboxMail extends MailMessage {
  sealed?: Record<string, string>;
}

/**
 * Sends the `mail` an outbox event carries. Mail goes through the outbox so that a mailer that
 * fails is retried and never loses (or rolls back) the change that asked for the message.
 */
export function createMailSubscriber(
  mailer: Mailer | undefined,
  logger: EventLogger,
  sealedBox?: SealedBox,
): OutboxSubscriber {
  return {
    name: 'portcullis.mail',
    async handle(event) {
      const mail = event.payload.mail as OutboxMail | undefined;
      if (!mail) return;
      if (!mailer) {
        logger.warn('portcullis.mail.no_mailer', { eventId: event.id, subject: mail.subject });
        return;
      }
      const { sealed, ...message } = mail;
      // headers are cleaned here, where every message leaves, after sealed values are filled in
      if (!sealed) {
        await mailer.send(cleanMailHeaders(message));
        return;
      }
      if (!sealedBox) throw new Error('mail with sealed values, but no key to open them');
      const values = new Map(Object.entries(sealed).map(([name, value]) => [name, sealedBox.open(value)]));
      const fill = (template: string, encode: (v: string) => string) =>
        template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
          const value = values.get(name);
          return value === undefined ? whole : encode(value);
        });
      await mailer.send(
        cleanMailHeaders({
          ...message,
          subject: fill(message.subject, (v) => v),
          text: fill(message.text, (v) => v),
          ...(message.html !== undefined ? { html: fill(message.html, escapeHtml) } : {}),
        }),
      );
    },
  };
}
