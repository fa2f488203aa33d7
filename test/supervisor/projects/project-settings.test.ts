import { describe, expect, it } from 'vitest';
import { parseProjectSettings } from '../../../src/supervisor/projects/project-settings.js';
import { DEFAULT_RUN_OPTIONS } from '../../../src/shared/run-options.js';

describe('dbt_temporal.yml', () => {
  it('defaults to the reference settings', () => {
    const s = parseProjectSettings(null, 'f.yml');
    expect({ retry: s.retry, timeouts: s.timeouts }).toEqual(DEFAULT_RUN_OPTIONS);
    expect(s.nonRetryableErrors).toEqual([]);
  });

  it('reads retry, timeouts and non-retryable patterns', () => {
    const s = parseProjectSettings({ retry: { max_attempts: 5 }, timeouts: { node_secs: 120, node_heartbeat_secs: 30 }, non_retryable_errors: ['connection refused'] }, 'f.yml');
    expect(s.retry.max_attempts).toBe(5);
    expect(s.timeouts.node_secs).toBe(120);
    expect(s.nonRetryableErrors[0]?.test('Connection Refused by peer')).toBe(true);
  });

  it('names the file, the key and the rule on bad values', () => {
    expect(() => parseProjectSettings({ retry: { max_attempts: 0 } }, 'p/dbt_temporal.yml')).toThrow(/p\/dbt_temporal\.yml: retry\.max_attempts must be a number >= 1, got 0/);
    expect(() => parseProjectSettings({ timeouts: { node_secs: 100, node_heartbeat_secs: 200 } }, 'f')).toThrow(/node_heartbeat_secs must be between 10 and timeouts\.node_secs/);
    expect(() => parseProjectSettings({ non_retryable_errors: ['('] }, 'f')).toThrow(/invalid regular expression/);
    expect(() => parseProjectSettings({ retry: [] }, 'f')).toThrow(/`retry` must be a mapping/);
  });
});

describe('dbtTimestamp', () => {
  it('turns RFC 3339 into the naive UTC form dbt accepts', async () => {
    const { dbtTimestamp } = await import('../../../src/supervisor/projects/resolve-cache.js');
    expect(dbtTimestamp('2026-10-01T00:00:00Z')).toBe('2026-10-01T00:00:00');
    expect(dbtTimestamp('2026-10-01T02:30:00+02:00')).toBe('2026-10-01T00:30:00');
    expect(dbtTimestamp('2026-10-01')).toBe('2026-10-01T00:00:00');
    expect(dbtTimestamp(null)).toBeNull();
  });
});
