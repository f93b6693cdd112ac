import { describe, expect, it } from 'vitest';
import { createColumnCodec, parseTimestampText, toMysqlUtc } from '../src/column-codec.js';

describe('column codec', () => {
  const instant = new Date('2024-02-29T23:59:59.007Z');

  it('writes times as the column type of each dialect wants them', () => {
    expect(createColumnCodec('postgres').toDate(instant)).toBe(instant);
    expect(createColumnCodec('mysql').toDate(instant)).toBe('2024-02-29 23:59:59.007');
    expect(createColumnCodec('sqlite').toDate(instant)).toBe(instant.getTime());
    expect(createColumnCodec('sqlite').toNullableDate(null)).toBeNull();
    expect(toMysqlUtc(new Date('1999-12-31T00:00:00.000Z'))).toBe('1999-12-31 00:00:00.000');
  });

  it('reads times back from Dates, epoch numbers and text in UTC', () => {
    const codec = createColumnCodec('postgres');
    expect(codec.fromDate(instant)).toBe(instant);
    expect(codec.fromDate(instant.getTime())).toEqual(instant);
    expect(codec.fromDate(BigInt(instant.getTime()))).toEqual(instant);
    expect(codec.fromNullableDate(null)).toBeNull();
    expect(codec.fromNullableDate(undefined)).toBeNull();
    expect(() => codec.fromDate(true)).toThrow(TypeError);
  });

  it('parses timestamp text with and without an offset', () => {
    expect(parseTimestampText('2024-02-29 23:59:59.007')).toEqual(instant);
    expect(parseTimestampText('2024-02-29T23:59:59.007Z')).toEqual(instant);
    expect(parseTimestampText('2024-02-29 23:59:59.007+00')).toEqual(instant);
    expect(parseTimestampText('2024-03-01 01:59:59.007+02')).toEqual(instant);
    expect(parseTimestampText('2024-03-01 05:29:59.007+05:30')).toEqual(instant);
    expect(parseTimestampText('2024-02-29 18:59:59.007-0500')).toEqual(instant);
    expect(parseTimestampText('2024-02-29 23:59:59')).toEqual(new Date('2024-02-29T23:59:59.000Z'));
  });

  it('reads JSON from text, and passes through what a driver already parsed', () => {
    const codec = createColumnCodec('mysql');
    const value = { a: [1, 'two', null], b: { c: true }, d: 'Château 🏰' };
    expect(codec.fromJson(codec.toJson(value))).toEqual(value);
    expect(codec.fromJson(value)).toBe(value);
    expect(codec.fromInteger('9007199254740991')).toBe(9007199254740991);
  });
});
