import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { isAuthError } from './errors.js';
import { memoryStorage } from './memory/index.js';

const secret = 'k3y-material-for-tests-0123456789abcdef';
const base = () => ({ storage: memoryStorage(), secret, baseURL: 'http://localhost:3000' });

function configError(config: unknown): string {
  try {
    resolveConfig(config as never);
  } catch (error) {
    if (isAuthError(error, 'config_invalid')) return error.detail ?? '';
    throw error;
  }
  throw new Error('config was accepted');
}

describe('resolveConfig', () => {
  it('fails fast on a missing or short secret', () => {
    expect(configError({ ...base(), secret: undefined })).toMatch(/secret/);
    expect(configError({ ...base(), secret: 'short' })).toMatch(/secret must be at least 32/);
    expect(configError({ ...base(), secret: 'a'.repeat(40) })).toMatch(/placeholder/);
  });

  it('fails fast on a bad base URL', () => {
    expect(configError({ ...base(), baseURL: 'not a url' })).toMatch(/baseURL/);
    expect(configError({ ...base(), baseURL: 'ftp://example.com' })).toMatch(/baseURL/);
  });

  it('rejects unknown options, weaker argon2 costs and a storage that is not one', () => {
    expect(configError({ ...base(), sesion: {} })).toMatch(/sesion/);
    expect(configError({ ...base(), password: { argon2: { memoryCost: 4096 } } })).toMatch(/memoryCost/);
    expect(configError({ ...base(), storage: {} })).toMatch(/storage/);
  });

  it('applies secure defaults', () => {
    const config = resolveConfig(base());
    expect(config.basePath).toBe('/auth');
    expect(config.secureCookies).toBe(false);
    expect(config.password.minLength).toBe(15);
    expect(config.password.argon2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(config.session.idleTtlSeconds).toBeLessThanOrEqual(config.session.absoluteTtlSeconds);
    expect(config.trustedOrigins.has('http://localhost:3000')).toBe(true);
    expect(resolveConfig({ ...base(), baseURL: 'https://app.example.com/x' }).secureCookies).toBe(true);
  });
});
