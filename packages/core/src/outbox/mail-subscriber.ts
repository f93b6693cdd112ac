import type { Logger } from '../ports/logger.js';
import type { Mailer, MailMessage } from '../ports/mailer.js';
import type { OutboxSubscriber } from './outbox-dispatcher.js';

/**
 * Sends the `mail` an outbox event carries. Mail goes through the outbox so that a mailer that
 * fails is retried and never loses (or rolls back) the change that asked for the message.
 */
export function createMailSubscriber(mailer: Mailer | undefined, logger: Logger): OutboxSubscriber {
  return {
    name: 'portcullis.mail',
    async handle(event) {
      const mail = event.payload.mail as MailMessage | undefined;
      if (!mail) return;
      if (!mailer) {
        logger.warn('no mailer configured: message not sent', { eventId: event.id, subject: mail.subject });
        return;
      }
      await mailer.send(mail);
    },
  };
}
