import type { PortcullisClient, Tenant } from '@portcullis/client';
import { type createTestServer, signUp } from '../support/test-server.js';

export type TestServer = ReturnType<typeof createTestServer>;

/** A user who signed up in their own browser and created an organization (they own it). */
export async function ownerOf(server: TestServer, name: string, email = `owner@${slugOf(name)}.example`) {
  const browser = server.browser();
  const client = browser.client();
  await signUp(client, email, `Owner of ${name}`);
  const tenant = await client.tenants.create({ name, slug: slugOf(name) });
  return { browser, client, tenant };
}

/** A new user, in a browser of their own, who joined `tenant` with `roles` through an open link. */
export async function memberOf(
  server: TestServer,
  inviter: PortcullisClient,
  tenant: Tenant,
  email: string,
  roles: string[] = ['member'],
) {
  const browser = server.browser();
  const client = browser.client();
  await signUp(client, email);
  const { token } = await inviter.tenants.invitations.create(tenant.id, { roles });
  await client.invitations.accept({ token });
  return { browser, client };
}

function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Verifies `email` through the mail the server sends (an email invitation needs a verified address). */
export async function verifyEmail(server: TestServer, client: PortcullisClient, email: string) {
  await client.email.requestVerification({});
  while ((await server.auth.outbox.dispatchOnce()) > 0);
  const mail = server.mail.filter((message) => message.to === email).at(-1);
  const token = mail?.text.match(/token=([\w-]+)/)?.[1];
  if (!token) throw new Error(`no verification mail to ${email}`);
  await client.email.verify({ token });
}
