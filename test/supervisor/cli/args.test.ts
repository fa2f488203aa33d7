import { describe, expect, it } from 'vitest';
import { runInputFromArgs } from '../../../src/supervisor/cli/args.js';
import { FLAGS } from '../../../src/supervisor/cli/flags.js';
import { commandUsage } from '../../../src/supervisor/cli/help.js';
import { UsageError, parseArgv } from '../../../src/supervisor/cli/parse-argv.js';

const parse = (argv: string[], command: 'run' | 'local' = 'run') => runInputFromArgs(parseArgv(argv, command));

describe('dbt-style arguments', () => {
  it('takes the dbt command as a word, with dbt\'s flag names and short forms', () => {
    expect(parse(['build', '-s', '+customers', 'stg_orders', '-s', 'tag:x', '--exclude', 'a', 'b', '-t', 'prod', '-f', '-x',
      '--vars', '{day: 2024-01-01, n: 3}', '--selector', 'nightly', '--indirect-selection', 'cautious',
      '--event-time-start', '2024-01-01', '--event-time-end=2024-01-02'])).toEqual({
      command: 'build', select: '+customers stg_orders tag:x', exclude: 'a b', target: 'prod', full_refresh: true, fail_fast: true,
      vars: { day: '2024-01-01', n: 3 }, selector: 'nightly', indirect_selection: 'cautious',
      event_time_start: '2024-01-01', event_time_end: '2024-01-02',
    });
  });

  it('knows dbt\'s spellings of list and source freshness', () => {
    expect(parse(['ls', '-s', 'x'])).toMatchObject({ command: 'list' });
    expect(parse(['source', 'freshness'])).toEqual({ command: 'source-freshness' });
    expect(parse([])).toEqual({});
  });

  it("maps dbt ls's output flags onto the list fields, and --warn-error onto dbt's env settings", () => {
    expect(parse(['ls', '--output', 'json', '--output-keys', 'name', 'config.materialized', '--resource-type', 'model', '--resource-type', 'seed'])).toEqual({
      command: 'list', output: 'json', output_keys: ['name', 'config.materialized'], resource_types: ['model', 'seed'],
    });
    expect(parse(['build', '--warn-error', '--warn-error-options', '{error: all}'])).toEqual({
      command: 'build', env: { DBT_WARN_ERROR: 'true', DBT_WARN_ERROR_OPTIONS: '{error: all}' },
    });
  });

  it('maps --state and --defer onto the manifest refs (a directory means its manifest.json)', () => {
    expect(parse(['run', '--state', 'prod/abc', '--defer'])).toEqual({
      command: 'run', state_manifest_ref: 'prod/abc/manifest.json', defer_manifest_ref: 'prod/abc/manifest.json',
    });
    expect(parse(['run', '--defer', '--defer-state', 'p/m.json'])).toEqual({ command: 'run', defer_manifest_ref: 'p/m.json' });
    expect(() => parse(['run', '--defer'])).toThrow(/--defer needs --state/);
  });

  it('still accepts the --command and --input forms, flags overriding --input', () => {
    expect(parse(['--input', '{"command":"seed","select":"x","env":{"A":"0"}}', '--select', 'y', '--env', 'B=1', '--env', 'C=x=y'])).toEqual({
      command: 'seed', select: 'y', env: { A: '0', B: '1', C: 'x=y' },
    });
    expect(parse(['--command', 'test', '--retry-from', 'r', '--state-manifest-ref', 's', '--defer-manifest-ref', 'd', '--project', 'p'])).toEqual({
      command: 'test', retry_from: 'r', state_manifest_ref: 's', defer_manifest_ref: 'd', project: 'p',
    });
  });

  it('rejects malformed arguments with a usage error naming the flag', () => {
    expect(() => parse(['bogus'])).toThrow(/unknown dbt command 'bogus'/);
    expect(() => parse(['build', 'extra'])).toThrow(UsageError);
    expect(() => parse(['--input', '{bad'])).toThrow(/--input is not valid JSON/);
    expect(() => parse(['--vars', '[1]'])).toThrow(/--vars must be a YAML or JSON mapping/);
    expect(() => parse(['--env', 'NOEQUALS'])).toThrow(/--env expects KEY=VALUE/);
    expect(() => parse(['--bogus'])).toThrow(/unknown option '--bogus'/);
    expect(() => parse(['--target'])).toThrow(/--target needs a value/);
    expect(() => parse(['build', '--command', 'run'])).toThrow(/given twice/);
    expect(() => parse(['--ui'], 'run')).toThrow(/unknown option '--ui'/);
  });
});

describe('help', () => {
  it.each(['run', 'local'] as const)('lists every flag %s takes, with its short form', (command) => {
    const text = commandUsage(command);
    const flags = FLAGS.filter((f) => f.commands.includes(command));
    for (const f of flags) expect(text).toContain(`${f.short ? `-${f.short}, ` : ''}--${f.name}`);
    for (const name of ['select', 'exclude', 'selector', 'vars', 'target', 'full-refresh', 'fail-fast', 'indirect-selection', 'state', 'defer',
      'event-time-start', 'event-time-end', 'project-dir', 'quiet', 'json', 'input', 'command']) {
      expect(text).toContain(`--${name}`);
    }
    if (command === 'local') for (const name of ['ui', 'verbose', 'profiles-dir', 'threads', 'log-file']) expect(text).toContain(`--${name}`);
  });
});
