// A dbt process's environment is the run's plus what dbt itself reads: no setting of ours rides
// in it (the subprocess shim takes its settings as arguments).
import { describe, expect, it } from 'vitest';
import { dbtEnv } from '../../src/executor/workspace.js';
import { dbtInvocation } from '../../src/shared/node-request.js';

const invocation = dbtInvocation(
  { dbtPath: 'dbt', projectDir: '/p', profilesDir: '/p', target: null, baseEnv: { PATH: '/bin' }, partialParse: null, timeoutMs: 1_000 },
  { target: null, vars: {}, env: { RUN_VAR: 'x' }, invocation_id: 'run-1', run_started_at: '2026-12-05T08:00:00Z', event_time_start: '2026-12-01', stateManifest: '{}', defer: true },
);

describe('dbtEnv', () => {
  it('holds the run env and the variables dbt reads, and nothing of ours', () => {
    const env = dbtEnv(invocation, { root: '/tmp/ws', targetPath: '/tmp/ws/target', logPath: '/tmp/ws/logs', statePath: '/tmp/ws/state' });
    expect(env).toMatchObject({ PATH: '/bin', RUN_VAR: 'x', DBT_STATE: '/tmp/ws/state', DBT_DEFER: 'true', DBT_EVENT_TIME_START: '2026-12-01T00:00:00', DBT_TARGET_PATH: '/tmp/ws/target' });
    expect(Object.keys(env).filter((k) => k.startsWith('DBTT_'))).toEqual([]);
    expect(Object.values(env)).not.toContain('run-1');
  });
});
