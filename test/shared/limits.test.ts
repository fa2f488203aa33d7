// Size bounds for what goes to Temporal: search attribute values, memo fields, failure text.
import { describe, expect, it } from 'vitest';
import { boundText, describeValue, truncateUtf8, utf8Length } from '../../src/shared/limits.js';

describe('limits', () => {
  it('cuts to a UTF-8 byte budget on whole characters', () => {
    expect(truncateUtf8('short', 2000)).toBe('short');
    const cut = truncateUtf8('é'.repeat(5000), 2000);
    expect(utf8Length(cut)).toBeLessThanOrEqual(2000);
    expect(cut.endsWith('…')).toBe(true);
    expect(utf8Length(truncateUtf8('😀'.repeat(1000), 2000))).toBeLessThanOrEqual(2000);
  });

  it('keeps the head and the tail of a long text', () => {
    const text = `HEAD${'x'.repeat(100_000)}TAIL`;
    const bounded = boundText(text, 4000);
    expect(bounded.length).toBeLessThanOrEqual(4000);
    expect(bounded.startsWith('HEAD')).toBe(true);
    expect(bounded.endsWith('TAIL')).toBe(true);
    expect(bounded).toMatch(/characters trimmed/);
  });

  it('describes values briefly', () => {
    expect(describeValue(new Uint8Array(3))).toBe('binary data (3 bytes)');
    expect(describeValue('x'.repeat(500))).toMatch(/… \(502 characters\)$/);
    expect(describeValue(3)).toBe('3');
  });
});
