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

  it('recognizes a missing table or column on each database, also wrapped by an ORM (issue 14)', () => {
    const pg = Object.assign(new Error('relation "auth_users" does not exist'), { code: '42P01' });
    const mysql = Object.assign(new Error("Table 'test.auth_users' doesn't exist"), {
      code: 'ER_NO_SUCH_TABLE',
      errno: 1146,
    });
    const sqlite = Object.assign(new Error('no such table: auth_users'), { code: 'SQLITE_ERROR' });
    const column = Object.assign(new Error('column "prev_hash" does not exist'), { code: '42703' });
    for (const error of [pg, mysql, sqlite, column]) {
      expect(classifyStorageError(error)).toBe('schema_missing');
      expect(classifyStorageError(new Error('Failed query: select …', { cause: error }))).toBe(
        'schema_missing',
      );
    }
  });

  it('leaves other errors alone', () => {
    expect(classifyStorageError(new Error('syntax error at or near'))).toBeUndefined();
    expect(classifyStorageError(Object.assign(new Error('fk'), { code: '23503' }))).toBeUndefined();
  });
});
