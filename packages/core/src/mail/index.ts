export { type ConsoleMailerOptions, consoleMailer, redactLinks } from './console-mailer.js';
export { escapeHtml } from './escape-html.js';
export { cleanMailHeaders } from './mail-headers.js';
export {
  type CredentialChangeMailInput,
  credentialChangeMail,
  emailVerificationMail,
  type LinkMailInput,
  type LinkMailTemplate,
  magicLinkMail,
  passwordResetMail,
} from './mail-templates.js';
