import { describe, expect, it } from 'vitest';
import { AuthError, isAuthError } from './errors.js';

describe('AuthError', () => {
  it('is recognized by brand, with or without a code', () => {
    const error = new AuthError('invalid_credentials', { detail: 'nope' });
    expect(isAuthError(error)).toBe(true);
    expect(isAuthError(error, 'invalid_credentials')).toBe(true);
    expect(isAuthError(error, 'conflict')).toBe(false);
    expect(error.message).toBe('invalid_credentials: nope');
  });

  it('does not mistake other errors or look-alikes for AuthError', () => {
    expect(isAuthError(new Error('invalid_credentials'))).toBe(false);
    expect(isAuthError({ code: 'conflict', name: 'AuthError' })).toBe(false);
    expect(isAuthError(null)).toBe(false);
  });
});
