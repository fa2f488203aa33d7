// Validation and normalisation of `dbt_run` input; pure, used by the workflow and the CLI.
import { DBT_COMMANDS, INDIRECT_SELECTION_MODES } from './contracts.js';
import type { DbtCommand, IndirectSelection, JsonValue } from './contracts.js';
import { parseHooksConfig } from './hooks-config.js';
import type { HooksConfig } from './hooks-config.js';
import { describeValue } from './limits.js';
import { parseListOptions } from './list-options.js';
import type { ListOptions } from './list-options.js';

/** The validated, defaulted form of DbtRunInput that the run works with. */
export interface RunRequest {
  project: string | null;
  command: DbtCommand;
  select: string | null;
  exclude: string | null;
  /** dbt --selector: a named selector from selectors.yml, evaluated by dbt itself. */
  selector: string | null;
  indirect_selection: IndirectSelection | null;
  vars: Record<string, JsonValue>;
  target: string | null;
  full_refresh: boolean;
  fail_fast: boolean;
  env: Record<string, string>;
  /** Microbatch window (dbt --event-time-start/--event-time-end), RFC 3339. */
  event_time_start: string | null;
  event_time_end: string | null;
  /** Artifact-store refs of earlier runs' files. */
  retry_from: string | null;
  state_manifest_ref: string | null;
  defer_manifest_ref: string | null;
  /** Lifecycle hooks replacing dbt_temporal.yml's (`{}`: none); null: the file's. */
  hooks: HooksConfig | null;
  /** Reuse unchanged nodes (docs/reuse.md); null: dbt_temporal.yml's `reuse.enabled`. Absent in older plans. */
  reuse?: boolean | null;
  /** Plan only: report what would be built or reused, and why, without building. */
  plan_only?: boolean;
  /** `list` only: dbt ls's --output, --output-keys and --resource-type; absent: dbt ls's defaults. */
  list?: ListOptions;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function optTimestamp(input: Record<string, unknown>, key: string): string | null {
  const value = optString(input, key);
  if (value !== null && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
    throw new TypeError(`input.${key} must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  // Binary payloads (binary/plain) decode to byte arrays, undecodable ones to a marker object.
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(UNDECODABLE_KEY in value);
}

/** What the worker's payload converter returns for a payload it cannot decode (see payload-converter.ts). */
export const UNDECODABLE_KEY = '__dbtt_undecodable_encoding';

function describeInput(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null && UNDECODABLE_KEY in raw) return `a payload with encoding ${describeValue((raw as Record<string, unknown>)[UNDECODABLE_KEY])}`;
  return describeValue(raw);
}

/**
 * An artifact-store ref: a key or path *inside* the store (what `artifacts` returned), so no
 * `..` segment, no NUL and no backslash tricks; the store itself rejects anything outside it.
 */
function optRef(input: Record<string, unknown>, key: string): string | null {
  const value = optString(input, key);
  if (value === null) return null;
  if (value.length > 1024 || /[\0\\]/.test(value) || value.split('/').some((seg) => seg === '..')) {
    throw new TypeError(`input.${key} must be a path inside the artifact store (no "..", at most 1024 characters), got ${describeValue(value)}`);
  }
  return value;
}

function optString(input: Record<string, unknown>, key: string): string | null {
  const value = input[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TypeError(`input.${key} must be a string, got ${describeValue(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function optBool(input: Record<string, unknown>, key: string): boolean {
  const value = input[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new TypeError(`input.${key} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** Validates raw workflow input; throws TypeError naming the field and the rule. */
export function parseRunInput(raw: unknown): RunRequest {
  const input: Record<string, unknown> = raw === undefined || raw === null ? {} : (raw as Record<string, unknown>);
  if (!isObject(input)) throw new TypeError(`input must be a JSON object, got ${describeInput(raw)}`);

  const command = optString(input, 'command') ?? 'build';
  if (!(DBT_COMMANDS as readonly string[]).includes(command)) {
    throw new TypeError(`input.command must be one of ${DBT_COMMANDS.join(', ')}; got ${describeValue(command)}`);
  }

  const indirect = optString(input, 'indirect_selection')?.toLowerCase() ?? null;
  if (indirect !== null && !(INDIRECT_SELECTION_MODES as readonly string[]).includes(indirect)) {
    throw new TypeError(`input.indirect_selection must be one of ${INDIRECT_SELECTION_MODES.join(', ')}; got ${JSON.stringify(indirect)}`);
  }

  const vars = input['vars'] ?? {};
  if (!isObject(vars)) throw new TypeError(`input.vars must be a JSON object, got ${describeValue(vars)}`);

  const list = parseListOptions(input, command);
  const env = input['env'] ?? {};
  if (!isObject(env)) throw new TypeError(`input.env must be an object of strings, got ${describeValue(env)}`);
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw new TypeError(`input.env.${key} must be a string, got ${describeValue(value)}`);
  }

  return {
    project: optString(input, 'project'),
    command: command as DbtCommand,
    select: optString(input, 'select'),
    exclude: optString(input, 'exclude'),
    selector: optString(input, 'selector'),
    indirect_selection: indirect as IndirectSelection | null,
    vars: vars as Record<string, JsonValue>,
    target: optString(input, 'target'),
    full_refresh: optBool(input, 'full_refresh'),
    fail_fast: optBool(input, 'fail_fast'),
    env: env as Record<string, string>,
    ...eventWindow(input),
    retry_from: optRef(input, 'retry_from'),
    state_manifest_ref: optRef(input, 'state_manifest_ref'),
    defer_manifest_ref: optRef(input, 'defer_manifest_ref'),
    hooks: input['hooks'] === undefined || input['hooks'] === null ? null : parseHooksConfig(input['hooks'], 'input.hooks'),
    reuse: input['reuse'] === undefined || input['reuse'] === null ? null : optBool(input, 'reuse'),
    plan_only: optBool(input, 'plan_only'),
    ...(list ? { list } : {}),
  };
}

/** The microbatch window; a bound given alone is an error (dbt needs both to build batches). */
function eventWindow(input: Record<string, unknown>): { event_time_start: string | null; event_time_end: string | null } {
  const start = optTimestamp(input, 'event_time_start');
  const end = optTimestamp(input, 'event_time_end');
  // As plain dbt, which refuses a lone --event-time-start or --event-time-end before running anything.
  if ((start === null) !== (end === null)) {
    const [given, missing] = start === null ? ['event_time_end', 'event_time_start'] : ['event_time_start', 'event_time_end'];
    throw new TypeError(`input.${given} requires input.${missing}: the microbatch window needs both bounds`);
  }
  if (start !== null && end !== null && Date.parse(start) >= Date.parse(end)) {
    throw new TypeError(`input.event_time_start (${start}) must be before input.event_time_end (${end})`);
  }
  return { event_time_start: start, event_time_end: end };
}

/** The request as activities receive it: they ask the run for its env (RUN_ENV_QUERY). */
export function withoutEnv(request: RunRequest): RunRequest {
  return { ...request, env: {} };
}
