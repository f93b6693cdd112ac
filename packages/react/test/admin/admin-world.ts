import type { createAuth } from '@portcullis/core';
import { createTestServer, signUp } from '../support/test-server.js';

/**
 * A server with one tenant: its owner's browser, and `addMember(roles)` for more people (invited
 * by the owner, each in a browser of their own).
 */
export async function adminWorld(config: Partial<Parameters<typeof createAuth>[0]> = {}) {
  const server = createTestServer(config);
  const owner = server.browser();
  const ownerClient = owner.client();
  await signUp(ownerClient, 'owner@example.com', 'Olive Owner');
  const tenant = await ownerClient.tenants.create({ name: 'Acme', slug: 'acme' });
  let people = 0;

  async function addMember(roles: string[]) {
    const invitation = await ownerClient.tenants.invitations.create(tenant.id, { roles });
    const browser = server.browser();
    const client = browser.client();
    const answer = await signUp(client, `person${++people}@example.com`);
    if (!('user' in answer)) throw new Error('expected a cookie sign-up');
    const { user } = answer;
    await client.invitations.accept({ token: invitation.token });
    return { browser, client, user };
  }

  return { server, owner, ownerClient, tenant, tenantId: tenant.id, addMember };
}

/** The requests of a browser to a path pattern, e.g. `/permissions/check$`. */
export function requestsTo(browser: { requests: Array<{ method: string; path: string }> }, pattern: RegExp) {
  return browser.requests.filter((request) => pattern.test(request.path)).length;
}
