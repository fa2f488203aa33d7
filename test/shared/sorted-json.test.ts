import { describe, expect, it } from 'vitest';
import { sortedJson, sortedJsonOf } from '../../src/shared/sorted-json.js';
import type { KeyShapes } from '../../src/shared/sorted-json.js';

const config = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  enabled: true, alias: null, schema: 'marts', tags: ['a', 'b'], meta: { owner: 'x', 'z-key': 1 }, materialized: 'table', 'post-hook': [{ sql: "grant select on {{ this }} to {{ env_var('READER') }}", transaction: true }],
  persist_docs: {}, docs: { show: true, node_color: null }, contract: { enforced: false, alias_types: true }, on_schema_change: 'ignore', _private: 1, Upper: 2, ...over,
});

describe('sortedJsonOf', () => {
  it('renders what sortedJson renders, odd values included', () => {
    const own = JSON.parse('{"__proto__": {"b": 1, "a": 2}, "x": 1}') as unknown;
    const values: unknown[] = [
      config(), null, undefined, 'a "quoted" \\ line\n', '\ud800 lone', '\u2028 é 😀', 0, -0, 1.5e300, NaN, Infinity, true, [], {}, [1, undefined, null, () => 1],
      { b: undefined, a: () => 1, c: [undefined] }, { 10: 'a', 9: 'b', x: 'c', '1a': 'd' }, own, Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
      { d: new Date(0), n: Object(3) as unknown, m: new Map([[1, 2]]) }, { nested: { deeper: { z: 1, a: [{ y: 2, b: 3 }] } } },
    ];
    for (const v of values) expect(sortedJsonOf(v)).toBe(sortedJson(v));
  });

  it('keeps the key order of large objects for the next ones with the same keys, and tells apart key lists alike at both ends', () => {
    const shapes: KeyShapes = new Map();
    const objects = [
      config(), config({ materialized: 'view', tags: [] }), config({ alias: 'other' }),
      // Same length, first and last key as config(), other keys between.
      { ...Object.fromEntries(Object.keys(config()).map((k, n) => [n === 3 ? 'zz' : k, n])) },
      { ...config(), 0: 'index-like' },
    ];
    for (const o of [...objects, ...objects]) expect(sortedJsonOf(o, shapes)).toBe(sortedJson(o));
  });
});
