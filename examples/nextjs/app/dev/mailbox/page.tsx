import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { devMailboxEnabled, devMessages } from '@/lib/dev-mailbox';

export const metadata: Metadata = { title: 'Dev mailbox' };

/**
 * The mails the app sent (verification, password reset, sign-in links, invitations), newest
 * first, with their links clickable: development only (`DEV_MAILBOX=1`), a 404 otherwise.
 */
export default async function DevMailboxPage() {
  await connection();
  if (!devMailboxEnabled()) notFound();
  const messages = [...devMessages()].reverse();
  return (
    <>
      <header className="app-page-header">
        <h1>Dev mailbox</h1>
        <p className="app-muted">
          What the app would have emailed, newest first. Development only: the links carry working tokens.
        </p>
      </header>
      {messages.length === 0 ? <p>No messages yet.</p> : null}
      <ul className="app-mailbox">
        {messages.map((m) => (
          <li key={`${m.sentAt}-${m.to}-${m.subject}`} className="pc-card">
            <h2>{m.subject}</h2>
            <p className="app-muted">
              to {m.to} · {m.sentAt}
            </p>
            <pre>{linkify(m.text)}</pre>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The text with its http(s) links as anchors (React escapes the rest). */
function linkify(text: string) {
  return text.split(/(https?:\/\/\S+)/).map((part, index) =>
    index % 2 === 1 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string never move
      <a key={index} href={part}>
        {part}
      </a>
    ) : (
      part
    ),
  );
}
