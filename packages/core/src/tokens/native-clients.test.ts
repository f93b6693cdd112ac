import { describe, expect, it } from 'vitest';
import { isRegisteredRedirectUri, redirectUriProblem } from './native-clients.js';

describe('native clients redirect URIs (RFC 8252 §7)', () => {
  const app = {
    id: 'ios-app',
    redirectUris: [
      'com.example.app:/oauth/callback',
      'http://127.0.0.1/callback',
      'http://[::1]:8080/cb?x=1',
    ],
  };

  it('accepts private-use reversed-domain schemes, loopback literals and https', () => {
    expect(redirectUriProblem('com.example.app:/oauth/callback')).toBeNull();
    expect(redirectUriProblem('http://127.0.0.1/callback')).toBeNull();
    expect(redirectUriProblem('http://[::1]:9000/callback')).toBeNull();
    expect(redirectUriProblem('https://app.example.com/callback')).toBeNull();
  });

  it('refuses localhost, other http hosts, generic schemes, fragments and user info', () => {
    expect(redirectUriProblem('http://localhost/callback')).toMatch(/loopback/);
    expect(redirectUriProblem('http://127.0.0.2/callback')).toMatch(/loopback/);
    expect(redirectUriProblem('data:text/html,hi')).toMatch(/reversed domain/);
    expect(redirectUriProblem('com.example.app:/cb#x')).toMatch(/fragment/);
    expect(redirectUriProblem('https://user@app.example.com/cb')).toMatch(/user info/);
    expect(redirectUriProblem('not a uri')).toMatch(/absolute/);
  });

  it('matches exactly, except the port of a loopback URI', () => {
    expect(isRegisteredRedirectUri(app, 'com.example.app:/oauth/callback')).toBe(true);
    expect(isRegisteredRedirectUri(app, 'com.example.app:/oauth/callback/')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'com.example.app:/oauth/callback?x=1')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'http://127.0.0.1:49152/callback')).toBe(true);
    expect(isRegisteredRedirectUri(app, 'http://127.0.0.1:49152/other')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'http://[::1]:1/cb?x=1')).toBe(true);
    expect(isRegisteredRedirectUri(app, 'http://[::1]:1/cb')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'http://127.0.0.1:49152/callback#x')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'http://evil@127.0.0.1:49152/callback')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'http://localhost:49152/callback')).toBe(false);
    expect(isRegisteredRedirectUri(app, 'https://127.0.0.1:49152/callback')).toBe(false);
  });
});
