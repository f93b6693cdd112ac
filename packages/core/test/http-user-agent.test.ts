import { describe, expect, it } from 'vitest';
import { testAuth, uniqueEmail } from './support.js';

// Regression (issue 14): the User-Agent header was kept with sessions and audit entries as sent,
// control characters and any length included. Headers are cleaned, not refused.
describe('the user agent a session keeps', () => {
  it('is the header cleaned of control characters and cut to 512 characters', async () => {
    const { client } = testAuth();
    const signedUp = await client.call('POST', '/signup', {
      body: { email: uniqueEmail(), password: 'correct horse battery staple' },
      headers: { 'user-agent': `Mozilla\u0001/5.0\u0085 ${'x'.repeat(2_000)}` },
    });
    expect(signedUp.status).toBe(201);
    const sessions = await client.get('/sessions', signedUp.cookie);
    const [session] = sessions.body.items;
    expect(session.userAgent).toMatch(/^Mozilla \/5\.0 x+$/);
    expect(session.userAgent).toHaveLength(512);
  });
});
