import type { MailMessage } from '../ports/mailer.js';
import { escapeHtml } from './escape-html.js';

/**
 * A message whose link is not in it yet: `text` and `html` name it `{{link}}`, which the mail
 * subscriber fills in at delivery from the sealed value (the link carries a token, so it may not
 * rest in clear in the outbox). `html` is escaped here; the link is escaped when it is filled in.
 */
export type LinkMailTemplate = MailMessage & { html: string };

/** Who a link mail is for and until when its link works. */
export interface LinkMailInput {
  to: string;
  expiresAt: Date;
  /** The app's name in greetings and subjects. */
  appName: string;
}

const LINK = '{{link}}';

function linkMail(
  input: LinkMailInput,
  parts: { subject: string; intro: string; action: string; outro: string },
): LinkMailTemplate {
  const expiry = `The link works once, until ${input.expiresAt.toUTCString()}.`;
  return {
    to: input.to,
    subject: parts.subject,
    text: `${parts.intro}\n\n${parts.action}:\n${LINK}\n\n${expiry}\n${parts.outro}`,
    html:
      `<p>${escapeHtml(parts.intro)}</p>\n` +
      `<p><a href="${LINK}">${escapeHtml(parts.action)}</a></p>\n` +
      `<p>${escapeHtml(expiry)}<br>${escapeHtml(parts.outro)}</p>`,
  };
}

/** "Confirm your email address" for `POST /email/verification`. */
export function emailVerificationMail(input: LinkMailInput): LinkMailTemplate {
  return linkMail(input, {
    subject: `Confirm your email address for ${input.appName}`,
    intro: `Please confirm that ${input.to} is your email address for ${input.appName}.`,
    action: 'Confirm your email address',
    outro: 'If you did not ask for this, ignore this message.',
  });
}

/** "Reset your password" for `POST /password/forgot`. */
export function passwordResetMail(input: LinkMailInput): LinkMailTemplate {
  return linkMail(input, {
    subject: `Reset your ${input.appName} password`,
    intro: `Someone asked to reset the password of your ${input.appName} account.`,
    action: 'Choose a new password',
    outro:
      'If it was not you, ignore this message: your password stays as it is. Resetting it signs out every device.',
  });
}

/** "Your sign-in link" for `POST /magic-link`. */
export function magicLinkMail(input: LinkMailInput): LinkMailTemplate {
  return linkMail(input, {
    subject: `Your ${input.appName} sign-in link`,
    intro: `Here is the link you asked for to sign in to ${input.appName}.`,
    action: 'Sign in',
    outro: 'If you did not ask for it, ignore this message: nobody can sign in without it.',
  });
}

/** What a credential-change notice says, to whom, in which app's name. */
export interface CredentialChangeMailInput {
  to: string;
  appName: string;
  /** One sentence: what changed (never a secret). */
  notice: string;
  at: Date;
  /** A harmless detail, such as a passkey's or a provider's name. */
  detail?: string;
}

/**
 * "Your account's sign-in settings changed", sent after every credential change (a new
 * authenticator, a removed passkey, a changed password…), so that an owner whose session was
 * stolen hears of it. It carries no secret and no link: someone who did not make the change
 * goes to the app on their own.
 */
export function credentialChangeMail(input: CredentialChangeMailInput): MailMessage & { html: string } {
  const when = `When: ${input.at.toUTCString()}`;
  const detail = input.detail === undefined ? [] : [input.detail];
  const advice =
    'If this was you, there is nothing to do. If it was not, sign in now, change your password ' +
    'and review your sign-in methods and active sessions.';
  const lines = [input.notice, ...detail, when];
  return {
    to: input.to,
    subject: `${input.appName}: your sign-in settings changed`,
    text: `${lines.join('\n')}\n\n${advice}`,
    html: `<p>${lines.map(escapeHtml).join('<br>\n')}</p>\n<p>${escapeHtml(advice)}</p>`,
  };
}
