import { describe, expect, test } from 'vitest';
import { WIRE_ERROR_CATALOG, WireError, isWireError } from '../../sim/wire/index.js';

describe('WireError and the error catalog', () => {
  test('every catalog code is WIRE_ERR_* and has a non-empty description', () => {
    for (const [code, description] of Object.entries(WIRE_ERROR_CATALOG)) {
      expect(code).toMatch(/^WIRE_ERR_[A-Z0-9_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
  });

  test('WireError message carries the problem and the location; fields are set', () => {
    const err = new WireError('WIRE_ERR_PIDF_EMPTY_STATUS', '<status> is empty', { path: '/presence/tuple[2]/status', line: 7, column: 5 });
    expect(err.message).toBe('<status> is empty (at /presence/tuple[2]/status, line 7, column 5)');
    expect([err.code, err.path, err.line, err.column, err.detail, err.name]).toEqual([
      'WIRE_ERR_PIDF_EMPTY_STATUS',
      '/presence/tuple[2]/status',
      7,
      5,
      '<status> is empty',
      'WireError',
    ]);
    expect(isWireError(err)).toBe(true);
    expect(err).toBeInstanceOf(Error);
  });

  test('WireError for a message/cpim header names the header and line, and toJSON is ready for CLI output', () => {
    const err = new WireError('WIRE_ERR_CPIM_BAD_DATETIME', 'DateTime "x" is not an RFC 3339 date-time', { line: 3, header: 'DateTime' });
    expect(err.message).toBe('DateTime "x" is not an RFC 3339 date-time (at header "DateTime", line 3)');
    expect(JSON.parse(JSON.stringify(err))).toEqual({ code: 'WIRE_ERR_CPIM_BAD_DATETIME', message: err.message, line: 3, header: 'DateTime' });
    expect(new WireError('WIRE_ERR_UNKNOWN_FORMAT', 'the input is empty').message).toBe('the input is empty');
  });
});
