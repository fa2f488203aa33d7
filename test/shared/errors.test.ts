// The error catalogue: every code has its retryability and one line saying who throws it and
// when, and docs/operations.md lists exactly these codes, as retryable as the code says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode, isRetryable } from '../../src/shared/errors.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { RUN_FAILED_ERROR_TYPE } from '../../src/shared/names.js';
import { REPO_ROOT } from '../support/paths.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe('ERROR_CODES', () => {
  it.each(CODES)('%s has one doc line saying who throws it', (code) => {
    const { doc } = ERROR_CODES[code];
    expect(doc.trim().length).toBeGreaterThan(20);
    expect(doc).not.toContain('\n');
    expect(doc).toMatch(/thrown by/i);
  });

  it("holds the run's failure type under the Rust project's spelling, final", () => {
    expect(RUN_FAILED_ERROR_TYPE).toBe('DbtRunFailed');
    expect(isErrorCode(RUN_FAILED_ERROR_TYPE)).toBe(true);
    expect(isRetryable(RUN_FAILED_ERROR_TYPE)).toBe(false);
  });

  it('knows its own codes only (not a Node error code, not an Object property)', () => {
    for (const code of CODES) expect(isErrorCode(code)).toBe(true);
    for (const other of ['ENOENT', 'Error', 'toString', 'constructor', '', null, undefined]) expect(isErrorCode(other)).toBe(false);
  });
});

describe('docs/operations.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
  const start = doc.indexOf('\n## Error codes\n');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const rows = [...section.matchAll(/^\| `([A-Za-z_]+)` \| (yes|no) \|/gm)];

  it('lists every code of the catalogue, retryable as the catalogue says, and no other', () => {
    expect(start).toBeGreaterThanOrEqual(0);
    expect(Object.fromEntries(rows.map((m) => [m[1], m[2] === 'yes']))).toEqual(Object.fromEntries(CODES.map((c) => [c, isRetryable(c)])));
  });
});
