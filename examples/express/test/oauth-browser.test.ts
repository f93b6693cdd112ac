import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oidcProvider } from '@portcullis/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../../../test-support/oidc-identity-provider.js';
import { startServer } from '../src/app.js';
import { freePort, launchChromium, missingChromium } from './support/chromium.js';

// A person signs in to the example with "Sign in with Test IdP" in headless Chromium, against a
// real OpenID provider (oidc-provider) on another port of 127.0.0.1, then links nothing more and
// sees the linked provider. The provider's login and consent screens are completed by the test
// provider itself (see oidc-identity-provider.ts).

const missing = missingChromium;

if (missing && process.env.CI !== 'true') {
  console.warn(`[express example] OIDC browser test skipped: ${missing}`);
  describe.skip('OIDC sign-in in the Express example (skipped: no Chromium)', () => {
    it('signs in with the identity provider', () => {});
  });
} else {
  describe('OIDC sign-in in the Express example, in Chromium', () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'portcullis-express-oidc-'));
    let idp: TestIdentityProvider;
    let server: Awaited<ReturnType<typeof startServer>>;
    let browser: Browser;

    beforeAll(async () => {
      const port = await freePort();
      const baseURL = `http://127.0.0.1:${port}`;
      idp = await startTestIdentityProvider({ redirectUris: [`${baseURL}/auth/oauth/oidc/callback`] });
      server = await startServer({
        port,
        host: '127.0.0.1',
        baseURL,
        databaseUrl: `sqlite:${join(tempDir, 'oidc.sqlite')}`,
        dataDir: tempDir,
        secret: randomBytes(32).toString('base64url'),
        oauthProviders: {
          oidc: oidcProvider({
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            name: 'Test IdP',
          }),
        },
      });
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await idp?.close();
      rmSync(tempDir, { recursive: true, force: true });
    });

    it('signs a person up with "Sign in with Test IdP" and shows the linked provider', async () => {
      const context = await browser.newContext({ baseURL: server.url });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      try {
        const email = `grace-${randomBytes(3).toString('hex')}@idp.test`;
        idp.loginAs({
          sub: `sub-${randomBytes(4).toString('hex')}`,
          email,
          emailVerified: true,
          name: 'Grace',
        });

        await page.goto('/');
        await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();

        await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${email}`);
        expect(new URL(page.url()).pathname).toBe('/');
        await expect
          .poll(() => page.locator('#oauth-accounts').textContent())
          .toContain(`Test IdP (${email})`);
        const me = await page.evaluate(() => fetch('/auth/session').then((r) => r.json()));
        expect(me.session.amr).toEqual(['fed']);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  });
}
