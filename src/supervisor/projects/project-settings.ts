// dbt_temporal.yml next to dbt_project.yml, in the Rust dbt-temporal's layout: `retry`
// (node policy, non-retryable error patterns, project-hook retries), `timeouts` and lifecycle
// `hooks`; ours: `reuse`, `leases`, `limits`. Read and validated once at startup, strictly: a bad file stops the worker with the
// file, the key path and the rule (an unknown key names the nearest valid one).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CodedError } from '../../shared/errors.js';
import { parseHooksConfig } from '../../shared/hooks-config.js';
import { DEFAULT_RUN_OPTIONS } from '../../shared/run-options.js';
import type { ProjectRunOptions, TimeoutOptions } from '../../shared/run-options.js';
import { booleanAt, integerAt, isMapping, listAt, numberAt, strictMapping } from '../../shared/strict-config.js';
import { DEFAULT_REUSE_SETTINGS } from '../../shared/reuse.js';
import type { ReuseSettings } from '../../shared/reuse.js';

export interface ProjectSettings extends Required<ProjectRunOptions> {
  /** Messages matching any of these make an otherwise retryable error permanent. */
  nonRetryableErrors: RegExp[];
  /** Things to tell the operator at startup (deprecated keys). */
  warnings: string[];
  /** `reuse:` (docs/reuse.md). @default off */
  reuse: ReuseSettings;
  /** `leases:` one build of a relation at a time across runs (docs/coordination.md). @default null: when the run or the project reuses */
  leases: boolean | null;
  /** `limits:` concurrent nodes per target name, across every worker and run of the namespace. @default none */
  limits: Record<string, number>;
}

export const SETTINGS_FILE = 'dbt_temporal.yml';

const ROOT_KEYS = ['retry', 'timeouts', 'hooks', 'non_retryable_errors', 'reuse', 'leases', 'limits'] as const;
const RETRY_KEYS = ['max_attempts', 'initial_interval_secs', 'backoff_coefficient', 'max_interval_secs', 'non_retryable_errors', 'project_hooks'] as const;
const TIMEOUT_KEYS = ['node_secs', 'node_heartbeat_secs', 'hook_secs', 'hook_heartbeat_secs', 'plan_secs', 'store_artifacts_secs'] as const;

function patterns(list: unknown[], path: string): RegExp[] {
  return list.map((p, i) => {
    if (typeof p !== 'string') throw new TypeError(`\`${path}[${i}]\` must be a regular expression string, got ${JSON.stringify(p)}`);
    try {
      return new RegExp(p, 'i');
    } catch (err) {
      throw new TypeError(`\`${path}[${i}]\`: invalid regular expression ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  });
}

function parseTimeouts(raw: unknown): TimeoutOptions {
  const t = strictMapping(raw, 'timeouts', TIMEOUT_KEYS);
  const d = DEFAULT_RUN_OPTIONS.timeouts;
  const out = Object.fromEntries(TIMEOUT_KEYS.map((k) => [k, integerAt(t, k, 'timeouts', d[k], 1)])) as unknown as TimeoutOptions;
  for (const [hb, total] of [['node_heartbeat_secs', 'node_secs'], ['hook_heartbeat_secs', 'hook_secs']] as const) {
    // Activities heartbeat every few seconds; a heartbeat timeout under 10 s would flap.
    if (out[hb] < 10 || out[hb] > out[total]) {
      throw new TypeError(`\`timeouts.${hb}\` must be between 10 and timeouts.${total} (${out[total]}), got ${out[hb]}`);
    }
  }
  return out;
}

/** `reuse: true` or `reuse: { enabled, stateful }`. */
function parseReuse(raw: unknown): ReuseSettings {
  if (typeof raw === 'boolean') return { ...DEFAULT_REUSE_SETTINGS, enabled: raw };
  const m = strictMapping(raw, 'reuse', ['enabled', 'stateful']);
  return { enabled: booleanAt(m, 'enabled', 'reuse', DEFAULT_REUSE_SETTINGS.enabled), stateful: booleanAt(m, 'stateful', 'reuse', DEFAULT_REUSE_SETTINGS.stateful) };
}

/** `limits: { <target>: <concurrent nodes> }`. */
function parseLimits(raw: unknown): Record<string, number> {
  if (raw === undefined || raw === null) return {};
  if (!isMapping(raw)) throw new TypeError(`\`limits\` must be a mapping of target name to concurrent nodes (e.g. \`prod: 8\`), got ${JSON.stringify(raw)}`);
  const out: Record<string, number> = {};
  for (const [target, value] of Object.entries(raw)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new TypeError(`\`limits.${target}\` must be an integer >= 1 (concurrent nodes on target ${target}), got ${JSON.stringify(value)}`);
    }
    out[target] = value;
  }
  return out;
}

function parseDocument(doc: unknown): ProjectSettings {
  const root = strictMapping(doc, '', ROOT_KEYS);
  const r = strictMapping(root['retry'], 'retry', RETRY_KEYS);
  const d = DEFAULT_RUN_OPTIONS.retry;
  const hooksRetry = strictMapping(r['project_hooks'], 'retry.project_hooks', ['on_run_start', 'on_run_end']);
  const retry = {
    max_attempts: integerAt(r, 'max_attempts', 'retry', d.max_attempts, 1),
    initial_interval_secs: numberAt(r, 'initial_interval_secs', 'retry', d.initial_interval_secs, 0.001),
    backoff_coefficient: numberAt(r, 'backoff_coefficient', 'retry', d.backoff_coefficient, 1),
    max_interval_secs: numberAt(r, 'max_interval_secs', 'retry', d.max_interval_secs, 0.001),
    project_hooks: {
      on_run_start: booleanAt(hooksRetry, 'on_run_start', 'retry.project_hooks', false),
      on_run_end: booleanAt(hooksRetry, 'on_run_end', 'retry.project_hooks', false),
    },
  };
  if (retry.max_interval_secs < retry.initial_interval_secs) {
    throw new TypeError(`\`retry.max_interval_secs\` (${retry.max_interval_secs}) must be >= retry.initial_interval_secs (${retry.initial_interval_secs})`);
  }
  const warnings: string[] = [];
  const nonRetryableErrors = patterns(listAt(r, 'non_retryable_errors', 'retry'), 'retry.non_retryable_errors');
  if (root['non_retryable_errors'] !== undefined) {
    // Our earlier layout; the Rust worker reads the list under `retry`.
    warnings.push('top-level `non_retryable_errors` is deprecated: move the list under `retry.non_retryable_errors`');
    nonRetryableErrors.push(...patterns(listAt(root, 'non_retryable_errors', ''), 'non_retryable_errors'));
  }
  return { retry, timeouts: parseTimeouts(root['timeouts']), hooks: parseHooksConfig(root['hooks'], 'hooks'), nonRetryableErrors, warnings, reuse: parseReuse(root['reuse']),
    leases: root['leases'] === undefined || root['leases'] === null ? null : booleanAt(root, 'leases', '', false), limits: parseLimits(root['limits']) };
}

/** Parses a dbt_temporal.yml document (exported for tests); errors name the file. */
export function parseProjectSettings(doc: unknown, file: string): ProjectSettings {
  try {
    return parseDocument(doc);
  } catch (err) {
    throw new CodedError('CONFIG_ERROR', `${file}: ${(err as Error).message}`);
  }
}

/** The project's settings; defaults when it has no dbt_temporal.yml. */
export function loadProjectSettings(projectDir: string): ProjectSettings {
  const file = join(projectDir, SETTINGS_FILE);
  if (!existsSync(file)) return parseDocument(null);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CodedError('CONFIG_ERROR', `${file}: not valid YAML: ${(err as Error).message}`);
  }
  return parseProjectSettings(doc, file);
}
