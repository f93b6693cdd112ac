import { describe, expect, it } from 'vitest';
import { silentEventLogger } from '../src/logging/index.js';
import { cleanMailHeaders } from '../src/mail/index.js';
import { createMailSubscriber } from '../src/outbox/mail-subscriber.js';
import type { MailMessage } from '../src/ports/mailer.js';
import { tenantWorld } from './support/tenant-world.js';
import { uniqueEmail } from './support.js';

// Regression (issue 14, security 10): a tenant name holding CR/LF reached an invitation's subject,
// where a mailer that writes headers verbatim would have let it add headers (`Bcc:`).
describe('mail headers', () => {
  it('sends an invitation for a tenant whose stored name holds CR/LF with a one-line subject', async () => {
    const world = await tenantWorld();
    // names with line breaks are refused as input now; this one predates that check
    await world.storage.tenants.update(world.tenantId, {
      name: 'Acme\r\nBcc: attacker@example.com\u0085',
      updatedAt: world.clock.now(),
    });
    const email = uniqueEmail('invitee');

    const res = await world.invite({ email, roles: ['member'] });
    expect(res.status).toBe(201);
    await world.deliver();

    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]!.subject).toBe('You are invited to join Acme Bcc: attacker@example.com');
    expect(world.sent[0]!.text).toContain('Bcc: attacker@example.com'); // the body may hold it
  });

  it('refuses a tenant name with a line break as input', async () => {
    const world = await tenantWorld();
    const res = await world.client.call('PATCH', world.base, {
      body: { name: 'Acme\r\nBcc: attacker@example.com' },
      cookie: world.owner.cookie,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', issues: [{ path: 'name' }] });
  });

  it('strips control characters from every header, filled sealed values included, and leaves the body', async () => {
    const sent: MailMessage[] = [];
    const subscriber = createMailSubscriber({ send: async (m) => void sent.push(m) }, silentEventLogger, {
      seal: (value: string) => value,
      open: (value: string) => value,
    } as never);
    await subscriber.handle({
      payload: {
        mail: {
          to: 'victim@example.com\r\nBcc: attacker@example.com',
          subject: 'Hello {{name}}',
          text: 'line one\nline two {{name}}',
          sealed: { name: 'Eve\nX-Injected: 1' },
        },
      },
    } as never);
    expect(sent).toEqual([
      {
        to: 'victim@example.com Bcc: attacker@example.com',
        subject: 'Hello Eve X-Injected: 1',
        text: 'line one\nline two Eve\nX-Injected: 1',
      },
    ]);
  });

  it('cleans the headers of a message without sealed values too', async () => {
    const sent: MailMessage[] = [];
    const subscriber = createMailSubscriber({ send: async (m) => void sent.push(m) }, silentEventLogger);
    await subscriber.handle({
      payload: {
        mail: { to: 'a@example.com', subject: 'Welcome to Acme\r\nBcc: x@example.com', text: 'Hi\n' },
      },
    } as never);
    expect(sent).toEqual([
      { to: 'a@example.com', subject: 'Welcome to Acme Bcc: x@example.com', text: 'Hi\n' },
    ]);
  });

  it('cleans any other header a message carries (from, display names) the same way', () => {
    const message = {
      to: 'a@example.com',
      subject: 'S',
      text: 'T\r\n',
      from: '"Acme\r\nBcc: x" <a@example.com>',
    };
    expect(cleanMailHeaders(message)).toEqual({
      to: 'a@example.com',
      subject: 'S',
      text: 'T\r\n',
      from: '"Acme Bcc: x" <a@example.com>',
    });
  });
});
