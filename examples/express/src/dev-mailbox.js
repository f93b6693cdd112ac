import express from 'express';

/** @type {Record<string, string>} */
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe to place in HTML content.
 *
 * @param {string} value
 */
function escapeHtml(value) {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Escaped text with its http(s) URLs as links (the escaping already turned `&` into `&amp;`, as an
 * attribute needs, and leaves no `<` or `"` to break out with).
 *
 * @param {string} escaped
 */
function linkify(escaped) {
  return escaped.replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}

/**
 * Whether the TCP peer is this machine: 127.0.0.0/8, ::1, or 127.x as an IPv4-mapped IPv6
 * address (a dual-stack listener sees `::ffff:127.0.0.1`). Read from the socket only, never from
 * X-Forwarded-For or Forwarded: any client can write those headers.
 *
 * @param {string | undefined} address `req.socket.remoteAddress`
 */
export function isLoopbackAddress(address) {
  if (!address) return false;
  if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Answers 404 (as if there were no mailbox) unless the request comes from this machine: the
 * mailbox holds live sign-in and reset links, and an example started with `HOST=0.0.0.0` is
 * reachable from the network.
 *
 * @type {import('express').RequestHandler}
 */
export function loopbackOnly(req, res, next) {
  if (isLoopbackAddress(req.socket.remoteAddress)) return next();
  res.status(404).type('text').send('Not Found');
}

/**
 * @typedef {object} MailboxEntry
 * @property {string} to
 * @property {string} subject
 * @property {string} text
 * @property {string | null} html
 * @property {string} sentAt ISO time the mailer was called
 */

/**
 * A development mailbox: a mailer that keeps every message in memory, and the pages that show
 * them — `/dev/mailbox` (HTML) and `/dev/mailbox.json` (`[{ to, subject, text, html, sentAt }]`,
 * newest last). The messages hold working links (tokens in clear): it answers only clients on
 * this machine (loopback socket addresses), and must never be mounted in production.
 *
 * @param {{ limit?: number }} [options] how many messages to keep (oldest dropped first). Default 200.
 */
export function devMailbox(options = {}) {
  const limit = options.limit ?? 200;
  /** @type {MailboxEntry[]} */
  const messages = [];

  /** @type {import('@portcullis/core').Mailer} */
  const mailer = {
    async send(message) {
      messages.push({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
        sentAt: new Date().toISOString(),
      });
      if (messages.length > limit) messages.splice(0, messages.length - limit);
    },
  };

  const router = express.Router();
  router.use('/dev', loopbackOnly, (_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  router.get('/dev/mailbox.json', (_req, res) => {
    res.json(messages);
  });
  router.get('/dev/mailbox', (_req, res) => {
    const items = [...messages]
      .reverse()
      .map(
        (m) =>
          `<article class="card"><h2>${escapeHtml(m.subject)}</h2>` +
          `<p class="muted">to ${escapeHtml(m.to)} · ${escapeHtml(m.sentAt)}</p>` +
          // the plain text part, escaped, its links made clickable: the HTML part is never rendered here
          `<pre>${linkify(escapeHtml(m.text))}</pre></article>`,
      )
      .join('\n');
    res
      .type('html')
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8" />' +
          '<title>Dev mailbox · Portcullis example</title><link rel="stylesheet" href="/style.css" /></head>' +
          '<body><header><h1>Dev mailbox</h1><p class="muted">Messages the app sent, newest first ' +
          '(development only; <a href="/dev/mailbox.json">JSON</a>, <a href="/">back to the app</a>).</p></header>' +
          `<main>${items || '<p>No messages yet.</p>'}</main></body></html>`,
      );
  });

  return { mailer, messages, router };
}
