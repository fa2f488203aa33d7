import { describe, expect, it } from 'vitest';
import { RUN_INPUT_FLAGS, UsageError, parseFlags, runInputFromFlags } from '../../../src/supervisor/cli/args.js';

const parse = (argv: string[]) => runInputFromFlags(parseFlags(argv, RUN_INPUT_FLAGS));

describe('run input flags', () => {
  it('maps every input field to its own flag', () => {
    expect(parse([
      '--project', 'p', '--command', 'run', '--select', 'a+', '--exclude', 'b', '--indirect-selection', 'cautious',
      '--vars', '{"x": 1}', '--env', 'A=1', '--env', 'B=x=y', '--target', 'prod', '--full-refresh', '--fail-fast',
      '--defer-manifest-ref', 'd', '--state-manifest-ref', 's', '--retry-from', 'r',
      '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-02',
    ])).toEqual({
      project: 'p', command: 'run', select: 'a+', exclude: 'b', indirect_selection: 'cautious', vars: { x: 1 },
      env: { A: '1', B: 'x=y' }, target: 'prod', full_refresh: true, fail_fast: true, defer_manifest_ref: 'd',
      state_manifest_ref: 's', retry_from: 'r', event_time_start: '2024-01-01', event_time_end: '2024-01-02',
    });
  });

  it('takes the whole input as --input and lets flags override it', () => {
    expect(parse(['--input', '{"command":"seed","select":"x","env":{"A":"0"}}', '--select', 'y', '--env', 'B=1'])).toEqual({
      command: 'seed', select: 'y', env: { A: '0', B: '1' },
    });
  });

  it('rejects malformed values with a usage error naming the flag', () => {
    expect(() => parse(['--input', '{bad'])).toThrow(UsageError);
    expect(() => parse(['--vars', '[1]'])).toThrow(/--vars must be a JSON object/);
    expect(() => parse(['--env', 'NOEQUALS'])).toThrow(/--env expects KEY=VALUE/);
    expect(() => parse(['--bogus'])).toThrow(UsageError);
  });
});
