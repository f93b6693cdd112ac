import { describe, expect, it } from 'vitest';
import { readCookie, sessionCookieName } from '../sessions/session-cookie.js';
import { serializeSessionCookie } from './cookies.js';

describe('session cookie', () => {
  it('uses the __Host- prefix, Secure, HttpOnly and SameSite=Lax on https', () => {
    const options = { name: 'portcullis.session', secure: true };
    expect(sessionCookieName(options)).toBe('__Host-portcullis.session');
    const cookie = serializeSessionCookie(options, 'tok', 3600);
    expect(cookie).toBe(
      '__Host-portcullis.session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure',
    );
  });

  it('drops the prefix and Secure on plain http (local development)', () => {
    const cookie = serializeSessionCookie({ name: 'sid', secure: false }, 'tok', 10);
    expect(cookie).toBe('sid=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=10');
  });

  it('reads one cookie among many, tolerating quotes and bad encodings', () => {
    expect(readCookie('a=1; sid=xyz; b=2', 'sid')).toBe('xyz');
    expect(readCookie('a=1;sid="q"', 'sid')).toBe('q');
    expect(readCookie('sid=%E0%A4%A', 'sid')).toBeNull();
    expect(readCookie(null, 'sid')).toBeNull();
    expect(readCookie('xsid=1', 'sid')).toBeNull();
  });
});
