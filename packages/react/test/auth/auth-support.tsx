import { createHmac } from 'node:crypto';
import type { AuthenticateWithPasskeyBody, PortcullisClient, RegisterPasskeyBody } from '@portcullis/client';
import type { Auth, MailMessage } from '@portcullis/core';
import { fireEvent, screen } from '@testing-library/react';
import { onTestFinished } from 'vitest';
import { SoftAuthenticator } from '../../../../test-support/soft-authenticator.js';
import { type createTestServer, ORIGIN, signUp } from '../support/test-server.js';

/** A mutable clock (the one fake besides the mailer): step-up ages and TOTP steps move with it. */
export function fakeClock(start = Date.now()) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** The mails' outbox delivered, then the token of the newest link mailed to `to`. */
export async function tokenMailedTo(auth: Auth, mail: MailMessage[], to: string): Promise<string> {
  while ((await auth.outbox.dispatchOnce()) > 0);
  const message = mail.filter((m) => m.to === to).at(-1);
  const token = message?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error(`no link mailed to ${to}`);
  return token;
}

/** RFC 6238 (SHA-1, 6 digits, 30 s), written here so the tests do not trust the server's own code. */
export function totpCode(base32Secret: string, at: Date): string {
  const key = base32Decode(base32Secret);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 1000 / 30)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * What `withWebAuthn(client)` from `@portcullis/client/webauthn` adds, with the browser's part
 * (`navigator.credentials`) played by a software authenticator: the server's options and
 * verification are the real ones. happy-dom has no WebAuthn; this is the only double.
 */
export function withSoftPasskeys(
  client: PortcullisClient,
  authenticator = new SoftAuthenticator({ origin: ORIGIN }),
) {
  const calls: string[] = [];
  async function authenticate(challengeId?: string) {
    const { options } = await client.passkeys.authenticationOptions(challengeId ? { challengeId } : {});
    // the authenticator's JSON is what the browser would send; its `type` is always 'public-key'
    const response = (await authenticator.get(options)) as AuthenticateWithPasskeyBody['response'];
    return client.passkeys.verifyAuthentication(challengeId ? { response, challengeId } : { response });
  }
  Object.assign(client.passkeys, {
    async register({ name }: { name?: string } = {}) {
      calls.push('register');
      const { options } = await client.passkeys.registrationOptions({});
      const response = (await authenticator.create(options)) as RegisterPasskeyBody['response'];
      return client.passkeys.verifyRegistration({ response, ...(name ? { name } : {}) });
    },
    async signIn() {
      calls.push('signIn');
      return authenticate();
    },
    async reauthenticate() {
      calls.push('reauthenticate');
      return authenticate();
    },
  });
  Object.assign(client.mfa, {
    async completeWithPasskey(challengeId: string) {
      calls.push('completeWithPasskey');
      return authenticate(challengeId);
    },
  });
  return { authenticator, calls };
}

/** Makes the page look WebAuthn-capable (`window.PublicKeyCredential`) for the current test. */
export function pretendWebAuthn() {
  const target = window as unknown as { PublicKeyCredential?: unknown };
  const before = target.PublicKeyCredential;
  target.PublicKeyCredential = function PublicKeyCredential() {};
  onTestFinished(() => {
    target.PublicKeyCredential = before;
  });
}

/** Types `value` into the field labelled `label`. */
export function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

/**
 * A user (ada@example.com, verified) with TOTP turned on through the real routes: the signed-in client,
 * the secret and the recovery codes. The clock ends a step later, so the next code is unused.
 */
export async function userWithTotp(
  server: ReturnType<typeof createTestServer>,
  clock: ReturnType<typeof fakeClock>,
) {
  const client = server.browser().client();
  await signUp(client, 'ada@example.com');
  // a verified address: the first proof of an address (a magic link, say) drops second factors
  // enrolled before it, against pre-hijacked accounts
  await client.email.requestVerification({});
  await client.email.verify({ token: await tokenMailedTo(server.auth, server.mail, 'ada@example.com') });
  const { secret } = await client.mfa.totp.setup();
  const { recoveryCodes } = await client.mfa.totp.confirm({ code: totpCode(secret, clock.now()) });
  clock.advance(30);
  return { secret, recoveryCodes, owner: client };
}
