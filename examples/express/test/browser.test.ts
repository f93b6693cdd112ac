import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';

// Drives the example's page in headless Chromium: the example runs in-process (as in
// e2e.test.ts, from the workspace sources) on SQLite, on a free port of 127.0.0.1.

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';

const missing = existsSync(chromiumPath)
  ? null
  : `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;

if (missing && process.env.CI === 'true') {
  describe('the Express example in Chromium', () => {
    it('has what it needs', () => {
      throw new Error(`cannot run the Express example's browser test: ${missing}`);
    });
  });
} else if (missing) {
  console.warn(`[express example] browser test skipped: ${missing}`);
  describe.skip('the Express example in Chromium (skipped: see the warning above)', () => {
    it('invites a second person through the page', () => {});
  });
} else {
  describe('the Express example in Chromium', () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'portcullis-express-browser-'));
    let server: Awaited<ReturnType<typeof startServer>>;
    let browser: Browser;

    beforeAll(async () => {
      const port = await freePort();
      server = await startServer({
        port,
        host: '127.0.0.1',
        baseURL: `http://127.0.0.1:${port}`,
        databaseUrl: `sqlite:${join(tempDir, 'browser.sqlite')}`,
        dataDir: tempDir,
        secret: randomBytes(32).toString('base64url'),
      });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      rmSync(tempDir, { recursive: true, force: true });
    });

    it('lets an owner invite someone who signs up through the link and reads the tenant’s documents', async () => {
      const owner = await openPage(browser, server.url);
      const invitee = await openPage(browser, server.url);
      try {
        const { page } = owner;
        const ownerEmail = `olga-${randomBytes(3).toString('hex')}@example.com`;
        const slug = `studio-${randomBytes(3).toString('hex')}`;

        await page.goto('/');
        await signUp(page, ownerEmail, 'Create account');

        const tenantForm = page.locator('#tenant-form');
        await tenantForm.getByLabel('Slug', { exact: true }).fill(slug);
        await tenantForm.getByLabel('Name', { exact: true }).fill('Studio');
        await tenantForm.getByRole('button', { name: 'Create tenant' }).click();
        const tenant = page.locator('#tenants li', { hasText: slug });

        await tenant.getByRole('button', { name: 'Documents' }).click();
        const documentForm = page.locator('#document-form');
        await documentForm.getByLabel('Title').fill('Welcome aboard');
        await documentForm.getByRole('button', { name: 'Add document' }).click();
        await expect.poll(() => page.locator('#documents').textContent()).toContain('Welcome aboard');

        await tenant.getByRole('button', { name: 'Members' }).click();
        const inviteForm = page.locator('#invite-form');
        await inviteForm.getByLabel('Roles').selectOption(['member']);
        await inviteForm.getByRole('button', { name: 'Create invitation' }).click();
        await expect.poll(() => page.locator('#invitation-link').inputValue()).not.toBe('');
        const link = new URL(await page.locator('#invitation-link').inputValue());
        expect(link.origin + link.pathname).toBe(`${server.url}/`);
        expect(link.searchParams.get('token')).toMatch(/^[\w-]{40,}$/);
        await expect
          .poll(() => page.locator('#invitations').textContent())
          .toContain('open link — member · used 0 of 1 · pending');

        // someone else, in a browser profile of their own, opens the link signed out
        const other = invitee.page;
        const inviteeEmail = `ivan-${randomBytes(3).toString('hex')}@example.com`;
        await other.goto(link.href);
        await expect.poll(() => other.locator('#invitation').isVisible()).toBe(true);
        // off the address bar before the page sends anything (no token in Referer or history)
        expect(new URL(other.url()).searchParams.has('token')).toBe(false);
        await signUp(other, inviteeEmail, 'Sign up and join');
        expect(await other.locator('#invitation').isVisible()).toBe(false);

        const joined = other.locator('#tenants li', { hasText: slug });
        await joined.getByRole('button', { name: 'Documents' }).click();
        await expect.poll(() => other.locator('#documents').textContent()).toContain('Welcome aboard');
        expect(await other.locator('#documents').textContent()).toContain('by a teammate');

        // and the owner sees the new member and the used invitation
        await tenant.getByRole('button', { name: 'Members' }).click();
        await expect.poll(() => page.locator('#members').textContent()).toContain(`${inviteeEmail} — member`);
        await expect
          .poll(() => page.locator('#invitations').textContent())
          .toContain('used 1 of 1 · exhausted');

        for (const { errors } of [owner, invitee]) expect(errors).toEqual([]);
        expect(await page.locator('#error').isVisible()).toBe(false);
        expect(await other.locator('#error').isVisible()).toBe(false);
      } finally {
        await owner.context.close();
        await invitee.context.close();
      }
    }, 60_000);
  });
}

/** A fresh browser context (its own cookies: another person) with one page; collects script errors. */
async function openPage(
  browser: Browser,
  baseURL: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Fills the page's sign-up form and waits until the page shows the account signed in. */
async function signUp(page: Page, email: string, buttonName: string): Promise<void> {
  const form = page.locator('#signup-form');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: buttonName }).click();
  await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${email}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
