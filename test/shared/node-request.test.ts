// The node's executor task is built once, from the workflow's contract: the run's identity keeps
// its contract names down to the engine, the worker's base fills what the run leaves open, and
// a deferring run carries the manifest it defers to.
import { describe, expect, it } from 'vitest';
import { dbtInvocation, dbtTimestamp, nodeTask } from '../../src/shared/node-request.js';
import type { InvocationBase } from '../../src/shared/node-request.js';
import type { ExecuteNodeInput } from '../../src/shared/node-contract.js';

const BASE: InvocationBase = {
  dbtPath: '/venv/bin/dbt', projectDir: '/p', profilesDir: '/p', target: 'dev',
  baseEnv: { PATH: '/bin', SHARED: 'worker' }, partialParse: null, timeoutMs: 60_000,
};
const INPUT: ExecuteNodeInput = {
  project: 'p', unique_id: 'model.p.m', target: null, vars: { day: 1 }, full_refresh: true,
  invocation_id: 'run-1', run_started_at: '2026-12-05T08:00:00.000Z', event_time_start: '2026-12-01', event_time_end: null, warehouse: 'duckdb:/w.db',
};
const PARTS = { env: { SHARED: 'run', ONLY_RUN: '1' }, deferTo: null, execution: { kind: 'node' as const, subcommand: 'build' as const }, selector: 'fqn:p.m', attempt: 2 };

describe('nodeTask', () => {
  it('builds a node task with the run identity under its contract names and the run env over the worker env', () => {
    const task = nodeTask(INPUT, BASE, PARTS);
    expect(task).toMatchObject({ type: 'node', uniqueId: 'model.p.m', subcommand: 'build', selector: 'fqn:p.m', fullRefresh: true, warehouse: 'duckdb:/w.db', attempt: 2 });
    expect(task.invocation.run).toEqual({ invocation_id: 'run-1', run_started_at: '2026-12-05T08:00:00.000Z', event_time_start: '2026-12-01T00:00:00', event_time_end: null });
    expect(task.invocation.env).toEqual({ PATH: '/bin', SHARED: 'run', ONLY_RUN: '1' });
    expect(task.invocation).toMatchObject({ target: 'dev', vars: { day: 1 }, stateManifest: null, defer: false, dbtPath: '/venv/bin/dbt' });
  });

  it('defers to the manifest it is given, and a run target wins over the worker default', () => {
    const task = nodeTask({ ...INPUT, target: 'prod' }, BASE, { ...PARTS, deferTo: '{"nodes":{}}' });
    expect(task.invocation).toMatchObject({ target: 'prod', stateManifest: '{"nodes":{}}', defer: true });
  });

  it('makes a freshness task of a freshness execution', () => {
    const task = nodeTask(INPUT, BASE, { ...PARTS, execution: { kind: 'freshness' }, selector: 'source:p.raw.t' });
    expect(task).toEqual({ type: 'freshness', invocation: expect.any(Object) as object, uniqueId: 'model.p.m', selector: 'source:p.raw.t' });
  });
});

describe('dbtInvocation', () => {
  it('leaves the identity empty for a run that has none (a worker-side invocation)', () => {
    expect(dbtInvocation(BASE, { target: null, vars: {}, env: {} }).run).toEqual({ invocation_id: null, run_started_at: null, event_time_start: null, event_time_end: null });
  });

  it('writes event times as dbt accepts them (naive UTC, no fraction)', () => {
    expect(dbtTimestamp('2026-10-01T02:30:00.123+02:00')).toBe('2026-10-01T00:30:00');
  });
});
