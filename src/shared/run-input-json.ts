// The run's input as the Rust dbt-temporal serialises it: every field present, in its order,
// with its defaults. It is what `env_var('_')` returns and the `input` of a hook's payload.
import type { DbtRunInput, JsonValue } from './contracts.js';

/** The canonical DbtRunInput of a raw workflow input (the continue-as-new carry left out). */
export function canonicalRunInput(raw: DbtRunInput | undefined | null): Record<string, JsonValue> {
  const r = (raw ?? {}) as Record<string, unknown>;
  const opt = (key: string): JsonValue => (r[key] ?? null) as JsonValue;
  return {
    project: opt('project'),
    command: (r['command'] ?? 'build') as JsonValue,
    select: opt('select'),
    exclude: opt('exclude'),
    indirect_selection: opt('indirect_selection'),
    vars: (r['vars'] ?? {}) as JsonValue,
    target: opt('target'),
    full_refresh: (r['full_refresh'] ?? false) as JsonValue,
    fail_fast: (r['fail_fast'] ?? false) as JsonValue,
    hooks: opt('hooks'),
    env: (r['env'] ?? {}) as JsonValue,
    defer_manifest_ref: opt('defer_manifest_ref'),
    event_time_start: opt('event_time_start'),
    event_time_end: opt('event_time_end'),
    retry_from: opt('retry_from'),
    state_manifest_ref: opt('state_manifest_ref'),
  };
}

/**
 * The environment nodes and project hooks run with: the input's `env`, `_` = the input as
 * JSON (replacing any caller-given `_`) when the project reads it, then what pre_run hooks
 * returned in `extra_env`.
 */
export function effectiveEnv(raw: DbtRunInput | undefined | null, env: Record<string, string>, extraEnv: Record<string, string>, readsRunInput: boolean): Record<string, string> {
  return { ...env, ...(readsRunInput ? { _: JSON.stringify(canonicalRunInput(raw)) } : {}), ...extraEnv };
}
