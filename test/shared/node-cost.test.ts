import { describe, expect, it } from 'vitest';
import { nodeCost, runCost } from '../../src/shared/node-cost.js';

describe('nodeCost', () => {
  it("reads what each adapter reports in dbt's adapter_response, and only that", () => {
    expect(nodeCost({ _message: 'INSERT 3', code: 'INSERT', rows_affected: 3 })).toEqual({ rows_affected: 3 });
    expect(nodeCost({ _message: 'OK' })).toEqual({});
    expect(nodeCost({ _message: 'CREATE TABLE (10.0 rows, 1.2 KiB processed)', rows_affected: 10, bytes_processed: 1234, bytes_billed: 10485760, slot_ms: 250, job_id: 'job_abc', location: 'EU' }))
      .toEqual({ rows_affected: 10, bytes_processed: 1234, bytes_billed: 10485760, slot_ms: 250, query_id: 'job_abc' });
    expect(nodeCost({ _message: 'SUCCESS 1', rows_affected: 1, query_id: '01b2-0000' })).toEqual({ rows_affected: 1, query_id: '01b2-0000' });
  });

  it('leaves out counts an adapter does not know (negative) and non-numbers', () => {
    expect(nodeCost({ rows_affected: -1, bytes_processed: 'many', query_id: '' })).toEqual({});
    expect(nodeCost(null)).toEqual({});
  });

  it("sums a run's nodes, with only the fields some node reported", () => {
    expect(runCost([{ adapter_response: { rows_affected: 3 } }, { adapter_response: { _message: 'OK' } }, { adapter_response: { rows_affected: 4, slot_ms: 10 } }]))
      .toEqual({ rows_affected: 7, slot_ms: 10 });
    expect(runCost([{ adapter_response: { _message: 'OK' } }])).toEqual({});
  });
});
