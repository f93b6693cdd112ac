import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors.js';
import { checkWebhookUrl } from './check-webhook-url.js';

const live = { environment: 'live' };
const test = { environment: 'test' };

function refusal(url: string, options: Parameters<typeof checkWebhookUrl>[1] = live): string {
  try {
    checkWebhookUrl(url, options);
  } catch (error) {
    if (isAuthError(error, 'webhook_url_forbidden')) return error.detail ?? '';
    throw error;
  }
  throw new Error(`${url} was accepted`);
}

describe('checkWebhookUrl', () => {
  it('accepts an https URL on a public host and returns its normalised target', () => {
    expect(checkWebhookUrl('https://Hooks.Example.COM./portcullis?x=1', live)).toEqual({
      url: 'https://hooks.example.com/portcullis?x=1',
      protocol: 'https:',
      hostname: 'hooks.example.com',
      port: 443,
      isIpLiteral: false,
    });
  });

  it('applies IDNA to an internationalised host name', () => {
    expect(checkWebhookUrl('https://bücher.example/h', live).hostname).toBe('xn--bcher-kva.example');
  });

  it('accepts a public IP literal, IPv6 kept without brackets in the target', () => {
    expect(checkWebhookUrl('https://8.8.8.8/h', live)).toMatchObject({
      hostname: '8.8.8.8',
      isIpLiteral: true,
    });
    expect(checkWebhookUrl('https://[2606:4700:4700::1111]:8443/h', live)).toMatchObject({
      url: 'https://[2606:4700:4700::1111]:8443/h',
      hostname: '2606:4700:4700::1111',
      port: 8443,
      isIpLiteral: true,
    });
  });

  it('requires https outside the test environment, and allows http on port 80 or 8080 in test', () => {
    expect(refusal('http://hooks.example.com/')).toMatch(/must use https/);
    expect(refusal('http://hooks.example.com/', { environment: 'staging' })).toMatch(/must use https/);
    expect(checkWebhookUrl('http://hooks.example.com/', test).port).toBe(80);
    expect(checkWebhookUrl('http://hooks.example.com:8080/', test).port).toBe(8080);
    expect(refusal('http://hooks.example.com:443/', test)).toMatch(/port 443 is not allowed/);
  });

  it.each([
    'ftp://hooks.example.com/',
    'file:///etc/passwd',
    'gopher://hooks.example.com:70/',
    'javascript:alert(1)',
  ])('refuses the scheme of %s', (url) => {
    expect(refusal(url, test)).toMatch(/must use https/);
  });

  it.each(['not a url', '/relative/path', '', 'https://'])('refuses %j, which is no absolute URL', (url) => {
    expect(refusal(url)).toMatch(/absolute URL|must name a host/);
  });

  it.each([
    'https://user@hooks.example.com/',
    'https://:pw@hooks.example.com/',
    'https://hooks.example.com@127.0.0.1/',
  ])('refuses the userinfo in %s', (url) => {
    expect(refusal(url)).toMatch(/user name or password/);
  });

  it('refuses ports outside the list, the default list being 443 and 8443', () => {
    expect(checkWebhookUrl('https://hooks.example.com:8443/', live).port).toBe(8443);
    for (const port of [22, 25, 6379, 5432, 8080, 9200, 65535]) {
      expect(refusal(`https://hooks.example.com:${port}/`)).toMatch(`port ${port} is not allowed`);
    }
    expect(checkWebhookUrl('https://hooks.example.com:9443/', { ...live, allowedPorts: [9443] }).port).toBe(
      9443,
    );
    expect(refusal('https://hooks.example.com/', { ...live, allowedPorts: [9443] })).toMatch(/port 443/);
  });

  it('refuses a fragment, an overlong URL, localhost and single-label names', () => {
    expect(refusal('https://hooks.example.com/#x')).toMatch(/fragment/);
    expect(refusal(`https://hooks.example.com/${'a'.repeat(2048)}`)).toMatch(/2048/);
    expect(refusal('https://localhost/')).toMatch(/localhost/);
    expect(refusal('https://LOCALHOST./')).toMatch(/localhost/);
    expect(refusal('https://api.localhost/')).toMatch(/localhost/);
    expect(refusal('https://metadata/')).toMatch(/fully qualified/);
    expect(refusal('https://intranet./')).toMatch(/fully qualified/);
  });

  it('allows loopback hosts only with allowLoopback, and never a private one', () => {
    const sink = { ...test, allowLoopback: true, allowedPorts: [4000] };
    expect(checkWebhookUrl('http://127.0.0.1:4000/', sink).hostname).toBe('127.0.0.1');
    expect(checkWebhookUrl('http://[::1]:4000/', sink).hostname).toBe('::1');
    expect(checkWebhookUrl('http://localhost:4000/', sink).hostname).toBe('localhost');
    expect(refusal('http://10.0.0.1:4000/', sink)).toMatch(/private/);
  });
});
