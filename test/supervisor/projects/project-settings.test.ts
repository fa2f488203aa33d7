import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadProjectSettings, parseProjectSettings } from '../../../src/supervisor/projects/project-settings.js';
import { DEFAULT_RUN_OPTIONS, projectHookActivityOptions } from '../../../src/shared/run-options.js';

const RUST_EXAMPLE = `
retry:
  max_attempts: 5
  initial_interval_secs: 10
  non_retryable_errors: ['permission denied', 'relation .* does not exist']
  project_hooks:
    on_run_start: true
timeouts:
  node_secs: 120
  node_heartbeat_secs: 60
  plan_secs: 90
  store_artifacts_secs: 30
hooks:
  pre_run:
    - workflow_type: validate
      task_queue: hooks-queue
      timeout_secs: 60
      on_error: fail
  on_success:
    - workflow_type: dbt_run
      task_queue: dbt-tasks
      input: { command: run, select: customers, hooks: {} }
      fire_and_forget: true
`;

describe('dbt_temporal.yml', () => {
  it('defaults to the reference settings: no hooks, project hooks never retried', () => {
    const s = parseProjectSettings(null, 'f.yml');
    expect({ retry: s.retry, timeouts: s.timeouts }).toEqual(DEFAULT_RUN_OPTIONS);
    expect(s.hooks).toEqual({ pre_run: [], on_success: [], on_failure: [] });
    expect(s.nonRetryableErrors).toEqual([]);
    expect(projectHookActivityOptions(s, 'start').retry).toEqual({ maximumAttempts: 1 });
    expect(projectHookActivityOptions(s, 'end').retry).toEqual({ maximumAttempts: 1 });
  });

  it("reads the Rust project's layout: retry with patterns and project_hooks, timeouts, hooks", () => {
    const s = parseProjectSettings(parseYaml(RUST_EXAMPLE), 'f.yml');
    expect(s.retry).toMatchObject({ max_attempts: 5, initial_interval_secs: 10, backoff_coefficient: 2, max_interval_secs: 60 });
    expect(s.nonRetryableErrors.map((re) => re.test('ERROR: Permission denied for table x'))).toEqual([true, false]);
    expect(s.timeouts).toMatchObject({ node_secs: 120, plan_secs: 90, store_artifacts_secs: 30, hook_secs: 300 });
    expect(projectHookActivityOptions(s, 'start').retry).toMatchObject({ maximumAttempts: 5, initialInterval: 10_000 });
    expect(projectHookActivityOptions(s, 'end').retry).toEqual({ maximumAttempts: 1 });
    expect(s.hooks.pre_run).toEqual([{ workflow_type: 'validate', task_queue: 'hooks-queue', timeout_secs: 60, on_error: 'fail', input: null, fire_and_forget: false }]);
    expect(s.hooks.on_success[0]).toMatchObject({ workflow_type: 'dbt_run', on_error: 'warn', timeout_secs: 300, fire_and_forget: true, input: { command: 'run', select: 'customers', hooks: {} } });
    expect(s.warnings).toEqual([]);
  });

  it('accepts the top-level non_retryable_errors as a deprecated alias', () => {
    const s = parseProjectSettings({ non_retryable_errors: ['connection refused'] }, 'f.yml');
    expect(s.nonRetryableErrors[0]?.test('Connection Refused by peer')).toBe(true);
    expect(s.warnings[0]).toMatch(/deprecated.*retry\.non_retryable_errors/);
  });

  // Each bad file stops the worker with the file, the key path and what is wrong.
  it.each([
    ['retry:\n  max_attemps: 2', /unknown key `retry\.max_attemps` \(did you mean `retry\.max_attempts`\?\)/],
    ['bogus_key: 1', /unknown key `bogus_key`/],
    ['retry:\n  project_hooks:\n    on_run_stat: true', /unknown key `retry\.project_hooks\.on_run_stat` \(did you mean `retry\.project_hooks\.on_run_start`\?\)/],
    ['timeouts:\n  node_sec: 10', /unknown key `timeouts\.node_sec` \(did you mean `timeouts\.node_secs`\?\)/],
    ['hooks: 42', /hooks must be a mapping, got 42/],
    ['hooks:\n  pre_rum: []', /unknown key `hooks\.pre_rum` \(did you mean `hooks\.pre_run`\?\)/],
    ['hooks:\n  pre_run:\n    - task_queue: q', /`hooks\.pre_run\[0\]\.workflow_type` is required/],
    ['hooks:\n  on_success:\n    - {workflow_type: w, task_queue: q, on_error: explode}', /`hooks\.on_success\[0\]\.on_error` must be one of fail, warn, ignore/],
    ['hooks:\n  on_failure:\n    - {workflow_type: w, task_queue: q, timeout_secs: 1.5}', /`hooks\.on_failure\[0\]\.timeout_secs` must be an integer >= 1, got 1\.5/],
    ['hooks:\n  on_failure:\n    - {workflow_type: w, task_queue: q, fire_and_forget: "yes"}', /`hooks\.on_failure\[0\]\.fire_and_forget` must be true or false/],
    ['retry:\n  max_attempts: 2.5', /`retry\.max_attempts` must be an integer >= 1, got 2\.5/],
    ['retry:\n  max_attempts: 0', /`retry\.max_attempts` must be an integer >= 1, got 0/],
    ['retry:\n  backoff_coefficient: 0.5', /`retry\.backoff_coefficient` must be a number >= 1/],
    ['retry:\n  initial_interval_secs: 30\n  max_interval_secs: 10', /`retry\.max_interval_secs` \(10\) must be >= retry\.initial_interval_secs/],
    ['retry:\n  non_retryable_errors: "x"', /`retry\.non_retryable_errors` must be a list/],
    ['retry:\n  non_retryable_errors: ["("]', /`retry\.non_retryable_errors\[0\]`: invalid regular expression/],
    ['timeouts:\n  plan_secs: 0', /`timeouts\.plan_secs` must be an integer >= 1, got 0/],
    ['timeouts:\n  store_artifacts_secs: 2.5', /`timeouts\.store_artifacts_secs` must be an integer >= 1/],
    ['timeouts:\n  node_secs: 100\n  node_heartbeat_secs: 200', /`timeouts\.node_heartbeat_secs` must be between 10 and timeouts\.node_secs/],
    ['retry: []', /retry must be a mapping/],
  ])('rejects %j', async (yaml, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'settings-'));
    try {
      await writeFile(join(dir, 'dbt_temporal.yml'), yaml);
      expect(() => loadProjectSettings(dir)).toThrow(new RegExp(`${join(dir, 'dbt_temporal.yml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(() => loadProjectSettings(dir)).toThrow(message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('dbtTimestamp', () => {
  it('turns RFC 3339 into the naive UTC form dbt accepts', async () => {
    const { dbtTimestamp } = await import('../../../src/shared/node-request.js');
    expect(dbtTimestamp('2026-10-01T00:00:00Z')).toBe('2026-10-01T00:00:00');
    expect(dbtTimestamp('2026-10-01T02:30:00+02:00')).toBe('2026-10-01T00:30:00');
    expect(dbtTimestamp('2026-10-01')).toBe('2026-10-01T00:00:00');
    expect(dbtTimestamp(null)).toBeNull();
  });
});
