import type { Mailer, MailMessage } from '@portcullis/core';

/** A message the development mailbox kept. */
export interface DevMail extends MailMessage {
  sentAt: string;
}

const LIMIT = 100;

/**
 * Whether the development mailbox is on: `DEV_MAILBOX=1`, which `pnpm example:nextjs` sets.
 * Its page shows working links (tokens in clear) to whoever can reach the server: never in
 * production, and the example listens on localhost only unless HOST says otherwise.
 */
export function devMailboxEnabled(): boolean {
  return process.env.DEV_MAILBOX === '1';
}

/** The kept messages, oldest first (one list per process, like the Portcullis instance). */
export function devMessages(): DevMail[] {
  const store = globalThis as typeof globalThis & { portcullisDevMailbox?: DevMail[] };
  store.portcullisDevMailbox ??= [];
  return store.portcullisDevMailbox;
}

/** A mailer that keeps messages for /dev/mailbox instead of sending them. */
export const devMailer: Mailer = {
  async send(message) {
    const messages = devMessages();
    messages.push({ ...message, sentAt: new Date().toISOString() });
    if (messages.length > LIMIT) messages.splice(0, messages.length - LIMIT);
  },
};
