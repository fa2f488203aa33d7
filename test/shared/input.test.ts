import { describe, expect, it } from 'vitest';
import { UNDECODABLE_KEY, parseRunInput } from '../../src/shared/input.js';

describe('parseRunInput', () => {
  it('accepts an empty input and defaults the command to build', () => {
    expect(parseRunInput(undefined)).toMatchObject({ command: 'build', project: null, vars: {}, env: {}, fail_fast: false });
    expect(parseRunInput({})).toMatchObject({ command: 'build' });
  });

  it('ignores unknown keys and normalises blank strings to null', () => {
    expect(parseRunInput({ select: '  ', surprise: 1 })).toMatchObject({ select: null });
  });

  it('names the field and the rule on bad values', () => {
    expect(() => parseRunInput({ command: 'bogus' })).toThrow(/input\.command must be one of build, run/);
    expect(() => parseRunInput({ select: 3 })).toThrow(/input\.select must be a string, got 3/);
    expect(() => parseRunInput({ vars: [] })).toThrow(/input\.vars must be a JSON object/);
    expect(() => parseRunInput({ env: { A: 1 } })).toThrow(/input\.env\.A must be a string/);
    expect(() => parseRunInput({ full_refresh: 'yes' })).toThrow(/input\.full_refresh must be a boolean/);
    expect(() => parseRunInput({ indirect_selection: 'greedy' })).toThrow(/indirect_selection must be one of eager/);
    expect(() => parseRunInput('text')).toThrow(/input must be a JSON object/);
  });

  it('lower-cases indirect_selection', () => {
    expect(parseRunInput({ indirect_selection: 'Cautious' }).indirect_selection).toBe('cautious');
  });

  it('validates the microbatch window as a whole: both bounds or none, start before end', () => {
    expect(() => parseRunInput({ event_time_start: '2026-01-01T00:00:00Z' })).toThrow(/input\.event_time_start requires input\.event_time_end/);
    expect(() => parseRunInput({ event_time_end: '2026-01-01' })).toThrow(/input\.event_time_end requires input\.event_time_start/);
    expect(() => parseRunInput({ event_time_start: '2026-01-02', event_time_end: '2026-01-01' })).toThrow(/must be before/);
    expect(parseRunInput({ event_time_start: '2026-01-01', event_time_end: '2026-01-02' })).toMatchObject({ event_time_start: '2026-01-01' });
  });

  it("reads `hooks` in dbt_temporal.yml's shape; `{}` means no hooks, absent means the file's", () => {
    expect(parseRunInput({}).hooks).toBeNull();
    expect(parseRunInput({ hooks: {} }).hooks).toEqual({ pre_run: [], on_success: [], on_failure: [] });
    expect(parseRunInput({ hooks: { pre_run: [{ workflow_type: 'w', task_queue: 'q' }] } }).hooks?.pre_run[0]).toMatchObject({ on_error: 'warn', timeout_secs: 300 });
    expect(() => parseRunInput({ hooks: { pre_run: [{ workflow_type: 'w' }] } })).toThrow(/input\.hooks\.pre_run\[0\]\.task_queue` is required/);
    expect(() => parseRunInput({ hooks: { on_sucess: [] } })).toThrow(/did you mean `input\.hooks\.on_success`/);
  });
});

describe('parseRunInput containment', () => {
  it('rejects byte arrays and undecodable payloads as not a JSON object, describing them briefly', () => {
    expect(() => parseRunInput(new Uint8Array(5))).toThrow(/input must be a JSON object, got binary data \(5 bytes\)/);
    expect(() => parseRunInput({ [UNDECODABLE_KEY]: 'json/protobuf' })).toThrow(/got a payload with encoding "json\/protobuf"/);
    expect(() => parseRunInput('x'.repeat(100_000))).toThrow(/\(100002 characters\)$/);
  });

  it('accepts refs inside the store and rejects .. and NUL', () => {
    expect(parseRunInput({ retry_from: 'inv-1/run_results.json' }).retry_from).toBe('inv-1/run_results.json');
    expect(() => parseRunInput({ retry_from: '../../etc/passwd' })).toThrow(/input\.retry_from must be a path inside the artifact store/);
    expect(() => parseRunInput({ state_manifest_ref: 'a/../../b' })).toThrow(/state_manifest_ref/);
    expect(() => parseRunInput({ defer_manifest_ref: 'a\0b' })).toThrow(/defer_manifest_ref/);
  });
});
