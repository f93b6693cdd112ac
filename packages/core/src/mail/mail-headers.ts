import type { MailMessage } from '../ports/mailer.js';
import { cleanHeaderText } from '../validation.js';

/** RFC 5322's limit on a header line; no header of ours comes near it. */
const MAX_HEADER_LENGTH = 998;

/** The fields of a message that are its body, not headers. */
const BODY_FIELDS: ReadonlySet<string> = new Set(['text', 'html']);

/**
 * The message with every header field (`to`, `subject`, and any other string a mailer turns into a
 * header, such as `from` or a display name) cleaned of control characters and line breaks, so a
 * value that reached a header (a tenant name in an invitation's subject, a sealed value filled in
 * at delivery) can never add a header (`Bcc:`) or end them early. The body is left as it is.
 *
 * @example
 * await mailer.send(cleanMailHeaders({ to, subject: `You are invited to join ${tenant.name}`, text }))
 */
export function cleanMailHeaders<Message extends MailMessage>(message: Message): Message {
  const clean: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(message)) {
    clean[field] =
      typeof value === 'string' && !BODY_FIELDS.has(field)
        ? cleanHeaderText(value, MAX_HEADER_LENGTH)
        : value;
  }
  return clean as Message;
}
