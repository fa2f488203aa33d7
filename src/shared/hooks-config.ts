// Lifecycle hooks (child workflows around a run), in the Rust dbt-temporal's shape: the
// `hooks:` section of dbt_temporal.yml and the run input's `hooks` field. Pure, workflow-safe.
import type { JsonValue } from './contracts.js';
import { booleanAt, integerAt, listAt, strictMapping, stringAt } from './strict-config.js';

export const HOOK_EVENTS = ['pre_run', 'on_success', 'on_failure'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export const HOOK_ERROR_MODES = ['fail', 'warn', 'ignore'] as const;
export type HookErrorMode = (typeof HOOK_ERROR_MODES)[number];

export interface HookConfig {
  /** Workflow type of the child. */
  workflow_type: string;
  /** Task queue its worker polls. */
  task_queue: string;
  /** The child's execution timeout. @default 300 */
  timeout_secs: number;
  /** fail: pre_run aborts the run, post hooks make it fail; warn: recorded in hook_errors; ignore. @default warn */
  on_error: HookErrorMode;
  /** Replaces the default payload ({event, invocation_id, input, plan, output}). @default null */
  input: JsonValue | null;
  /** Start the child (parent close policy Abandon) without awaiting it. @default false */
  fire_and_forget: boolean;
}

export type HooksConfig = Record<HookEvent, HookConfig[]>;

export const DEFAULT_HOOK_TIMEOUT_SECS = 300;
const HOOK_KEYS = ['workflow_type', 'task_queue', 'timeout_secs', 'on_error', 'input', 'fire_and_forget'] as const;

export function noHooks(): HooksConfig {
  return { pre_run: [], on_success: [], on_failure: [] };
}

function parseHook(raw: unknown, path: string): HookConfig {
  const h = strictMapping(raw, path, HOOK_KEYS);
  const onError = h['on_error'] ?? 'warn';
  if (typeof onError !== 'string' || !(HOOK_ERROR_MODES as readonly string[]).includes(onError)) {
    throw new TypeError(`\`${path}.on_error\` must be one of ${HOOK_ERROR_MODES.join(', ')}, got ${JSON.stringify(onError)}`);
  }
  return {
    workflow_type: stringAt(h, 'workflow_type', path),
    task_queue: stringAt(h, 'task_queue', path),
    timeout_secs: integerAt(h, 'timeout_secs', path, DEFAULT_HOOK_TIMEOUT_SECS, 1),
    on_error: onError as HookErrorMode,
    input: (h['input'] ?? null) as JsonValue | null,
    fire_and_forget: booleanAt(h, 'fire_and_forget', path, false),
  };
}

/** Parses a hooks section (`path` names it in errors); missing events have no hooks. */
export function parseHooksConfig(raw: unknown, path: string): HooksConfig {
  const sec = strictMapping(raw, path, HOOK_EVENTS);
  const out = noHooks();
  for (const event of HOOK_EVENTS) out[event] = listAt(sec, event, path).map((h, i) => parseHook(h, `${path}.${event}[${i}]`));
  return out;
}
