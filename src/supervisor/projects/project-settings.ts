// dbt_temporal.yml next to dbt_project.yml: retry policy, timeouts and non-retryable error
// patterns for one project. Read and validated once at startup; a bad file stops the worker.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CodedError } from '../../shared/errors.js';
import { DEFAULT_RUN_OPTIONS } from '../../shared/run-options.js';
import type { ProjectRunOptions } from '../../shared/run-options.js';

export interface ProjectSettings extends ProjectRunOptions {
  /** Messages matching any of these make an otherwise retryable error permanent. */
  nonRetryableErrors: RegExp[];
}

export const SETTINGS_FILE = 'dbt_temporal.yml';

function section(doc: Record<string, unknown>, key: string, file: string): Record<string, unknown> {
  const value = doc[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new CodedError('CONFIG_ERROR', `${file}: \`${key}\` must be a mapping`);
  return value as Record<string, unknown>;
}

function num(sec: Record<string, unknown>, key: string, fallback: number, file: string, where: string, min: number): number {
  const value = sec[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new CodedError('CONFIG_ERROR', `${file}: ${where}.${key} must be a number >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Parses a dbt_temporal.yml document (exported for tests). */
export function parseProjectSettings(doc: unknown, file: string): ProjectSettings {
  const root = (doc ?? {}) as Record<string, unknown>;
  if (typeof root !== 'object' || Array.isArray(root)) throw new CodedError('CONFIG_ERROR', `${file}: must be a mapping`);
  const r = section(root, 'retry', file);
  const t = section(root, 'timeouts', file);
  const d = DEFAULT_RUN_OPTIONS;
  const settings: ProjectSettings = {
    retry: {
      max_attempts: num(r, 'max_attempts', d.retry.max_attempts, file, 'retry', 1),
      initial_interval_secs: num(r, 'initial_interval_secs', d.retry.initial_interval_secs, file, 'retry', 0.001),
      backoff_coefficient: num(r, 'backoff_coefficient', d.retry.backoff_coefficient, file, 'retry', 1),
      max_interval_secs: num(r, 'max_interval_secs', d.retry.max_interval_secs, file, 'retry', 0.001),
    },
    timeouts: {
      node_secs: num(t, 'node_secs', d.timeouts.node_secs, file, 'timeouts', 1),
      node_heartbeat_secs: num(t, 'node_heartbeat_secs', d.timeouts.node_heartbeat_secs, file, 'timeouts', 1),
      hook_secs: num(t, 'hook_secs', d.timeouts.hook_secs, file, 'timeouts', 1),
      hook_heartbeat_secs: num(t, 'hook_heartbeat_secs', d.timeouts.hook_heartbeat_secs, file, 'timeouts', 1),
      plan_secs: num(t, 'plan_secs', d.timeouts.plan_secs, file, 'timeouts', 1),
      store_artifacts_secs: num(t, 'store_artifacts_secs', d.timeouts.store_artifacts_secs, file, 'timeouts', 1),
    },
    nonRetryableErrors: [],
  };
  for (const [hb, total] of [['node_heartbeat_secs', 'node_secs'], ['hook_heartbeat_secs', 'hook_secs']] as const) {
    // Activities heartbeat every few seconds; a heartbeat timeout under 10 s would flap.
    if (settings.timeouts[hb] < 10 || settings.timeouts[hb] > settings.timeouts[total]) {
      throw new CodedError('CONFIG_ERROR', `${file}: timeouts.${hb} must be between 10 and timeouts.${total} (${settings.timeouts[total]}), got ${settings.timeouts[hb]}`);
    }
  }
  const patterns = root['non_retryable_errors'] ?? [];
  if (!Array.isArray(patterns)) throw new CodedError('CONFIG_ERROR', `${file}: non_retryable_errors must be a list of regular expressions`);
  for (const p of patterns) {
    try {
      settings.nonRetryableErrors.push(new RegExp(String(p), 'i'));
    } catch (err) {
      throw new CodedError('CONFIG_ERROR', `${file}: non_retryable_errors: invalid regular expression ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  }
  return settings;
}

/** The project's settings; defaults when it has no dbt_temporal.yml. */
export function loadProjectSettings(projectDir: string): ProjectSettings {
  const file = join(projectDir, SETTINGS_FILE);
  if (!existsSync(file)) return { ...DEFAULT_RUN_OPTIONS, nonRetryableErrors: [] };
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CodedError('CONFIG_ERROR', `${file}: not valid YAML: ${(err as Error).message}`);
  }
  return parseProjectSettings(doc, file);
}
