import { AuthError } from '@portcullis/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as catchAll from '../app/api/[...path]/route.js';
import { apiRoute } from '../lib/api-route.js';

// Regression (issue 14, security 4): the example's own /api routes answered failures with
// Next.js's HTML error page (a stack trace in development) instead of problem+json.
describe("the Next.js example's /api routes answer every failure as problem+json", () => {
  afterEach(() => vi.restoreAllMocks());

  async function problemOf(response: Response) {
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    return (await response.json()) as Record<string, unknown>;
  }

  it('answers an AuthError thrown by a route with its status and code', async () => {
    const route = apiRoute(async () => {
      throw new AuthError('unauthenticated');
    });
    const response = await route();
    expect(response.status).toBe(401);
    expect(await problemOf(response)).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('answers an unexpected error with a bare 500 internal_error, logged, its message kept out', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const route = apiRoute(async () => {
      throw new TypeError('secret detail of a bug');
    });
    const response = await route();
    expect(response.status).toBe(500);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(problem)).not.toContain('secret detail');
    expect(String(logged.mock.calls[0]?.[1])).toContain('secret detail of a bug');
  });

  it('passes a route’s own response through untouched', async () => {
    const route = apiRoute(async (request: Request) =>
      Response.json({ path: new URL(request.url).pathname }),
    );
    const response = await route(new Request('http://localhost/api/x'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/api/x' });
  });

  it('answers an /api path no route takes with 404 not_found, for every method', async () => {
    for (const handler of [catchAll.GET, catchAll.POST, catchAll.PUT, catchAll.PATCH, catchAll.DELETE]) {
      const response = await handler();
      expect(response.status).toBe(404);
      expect(await problemOf(response)).toMatchObject({ code: 'not_found' });
    }
  });
});
