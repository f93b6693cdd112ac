import { describe, expect, it } from 'vitest';
import { classifyStorageError } from './classify-storage-error.js';

describe('classifyStorageError', () => {
  it('recognizes unique violations of each driver, also wrapped in causes', () => {
    expect(classifyStorageError(Object.assign(new Error('dup'), { code: '23505' }))).toBe('conflict');
    expect(classifyStorageError(Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(
      'conflict',
    );
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(
      'conflict',
    );
    const wrapped = new Error('Failed query', { cause: Object.assign(new Error('dup'), { code: '23505' }) });
    expect(classifyStorageError(wrapped)).toBe('conflict');
  });

  it('recognizes lost or refused connections', () => {
    expect(classifyStorageError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(
      'unavailable',
    );
    expect(classifyStorageError(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(
      classifyStorageError(new AggregateError([Object.assign(new Error(), { code: 'ECONNREFUSED' })])),
    ).toBe('unavailable');
  });

  it('leaves other errors alone', () => {
    expect(classifyStorageError(new Error('syntax error at or near'))).toBeUndefined();
    expect(classifyStorageError(Object.assign(new Error('fk'), { code: '23503' }))).toBeUndefined();
  });
});
