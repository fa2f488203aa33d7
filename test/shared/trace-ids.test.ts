// A run's trace id is its invocation id; its root span id is derived from it.
import { describe, expect, it } from 'vitest';
import { rootSpanIdFor, traceIdFor, traceparentFor } from '../../src/shared/trace-ids.js';

describe('trace ids', () => {
  it('uses the invocation id (a run id) without dashes as the trace id', () => {
    expect(traceIdFor('0193A2B4-7c1d-7e2f-9a3b-4c5d6e7f8091')).toBe('0193a2b47c1d7e2f9a3b4c5d6e7f8091');
  });

  it('hashes other invocation ids into a stable valid id', () => {
    const id = traceIdFor('not-a-uuid');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFor('not-a-uuid')).toBe(id);
    expect(traceIdFor('00000000-0000-0000-0000-000000000000')).not.toBe('0'.repeat(32));
  });

  it('derives one root span id per run and a sampled traceparent', () => {
    const inv = '0193a2b4-7c1d-7e2f-9a3b-4c5d6e7f8091';
    expect(rootSpanIdFor(inv)).toMatch(/^[0-9a-f]{16}$/);
    expect(rootSpanIdFor(inv)).not.toBe(rootSpanIdFor('0193a2b4-7c1d-7e2f-9a3b-4c5d6e7f8092'));
    expect(traceparentFor(inv)).toBe(`00-${traceIdFor(inv)}-${rootSpanIdFor(inv)}-01`);
  });
});
