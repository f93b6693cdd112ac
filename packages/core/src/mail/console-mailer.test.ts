import { describe, expect, it } from 'vitest';
import { consoleMailer } from './console-mailer.js';
import { emailVerificationMail } from './mail-templates.js';

const message = {
  to: 'ada@example.test',
  subject: 'Your sign-in link',
  text: 'Sign in:\nhttps://app.example.com/magic-link?token=abcDEF123_-xyz&x=1\nor https://app.example.com/?code=s3cret',
};

describe('consoleMailer', () => {
  it('prints recipient, subject and text with the tokens of links redacted', async () => {
    const lines: string[] = [];
    await consoleMailer({ write: (line) => lines.push(line) }).send(message);
    const printed = lines.join('\n');
    expect(printed).toContain('to: ada@example.test');
    expect(printed).toContain('subject: Your sign-in link');
    expect(printed).toContain('https://app.example.com/magic-link?token=[redacted]&x=1');
    expect(printed).toContain('https://app.example.com/?code=[redacted]');
    expect(printed).not.toContain('abcDEF123_-xyz');
    expect(printed).not.toContain('s3cret');
  });

  it('prints links whole when told to', async () => {
    const lines: string[] = [];
    await consoleMailer({ showLinks: true, write: (line) => lines.push(line) }).send(message);
    expect(lines.join('\n')).toContain('token=abcDEF123_-xyz&x=1');
  });
});

describe('link mail templates', () => {
  it('writes plain text and escaped HTML around the {{link}} placeholder', () => {
    const mail = emailVerificationMail({
      to: 'o"brien@example.test',
      appName: '<b>Acme</b> & Co',
      expiresAt: new Date('2030-01-02T03:04:05Z'),
    });
    expect(mail.text).toContain('{{link}}');
    expect(mail.text).toContain('<b>Acme</b> & Co');
    expect(mail.html).toContain('href="{{link}}"');
    expect(mail.html).toContain('&lt;b&gt;Acme&lt;/b&gt; &amp; Co');
    expect(mail.html).toContain('o&quot;brien@example.test');
    expect(mail.html).not.toContain('<b>');
  });
});
