// Which configuration values are secrets: they are redacted from logs and failures and the
// worker-only ones are never handed to dbt processes.
import { parseOtlpHeaders } from './metrics-config.js';
import type { Env } from './env-reader.js';

/** Secrets the worker itself uses; dbt never needs them, so they are removed from its env. */
export const WORKER_ONLY_SECRET_VARIABLES = ['TEMPORAL_API_KEY', 'TEMPORAL_METRICS_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'GITHUB_TOKEN', 'GIT_TOKEN', 'DBT_TEMPORAL_CODEC_KEYS'] as const;

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|PASSPHRASE|CREDENTIALS?|(^|_)KEY($|_))/i;
/** Values shorter than this are not redacted (they would mangle ordinary text). */
export const MIN_SECRET_LENGTH = 4;

/** Secret values found in the environment: known secret variables and secret-looking names. */
export function secretValues(env: Env): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('TEMPORAL_TLS_')) continue;
    if ((WORKER_ONLY_SECRET_VARIABLES as readonly string[]).includes(name) || SECRET_NAME.test(name) || name.startsWith('DBT_ENV_SECRET_') || secretEnvNames(env).includes(name)) {
      if (name.endsWith('_HEADERS')) {
        try {
          for (const v of Object.values(parseOtlpHeaders(value))) out.add(v);
        } catch {
          out.add(value);
        }
      }
      out.add(value.trim());
    }
  }
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

/** `DBT_TEMPORAL_SECRET_ENV`: more variable names (comma-separated) whose values are secret. */
export function secretEnvNames(env: Env): string[] {
  return (env['DBT_TEMPORAL_SECRET_ENV'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Secret values of a run's `env`: secret-looking names and the explicit list, as for the worker's own. */
export function runEnvSecrets(runEnv: Record<string, unknown>, explicitNames: readonly string[]): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(runEnv)) {
    if (typeof value !== 'string') continue;
    if (SECRET_NAME.test(name) || name.startsWith('DBT_ENV_SECRET_') || explicitNames.includes(name)) out.add(value.trim());
  }
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

/** The environment handed to dbt: the worker's, minus the worker-only secrets. */
export function dbtProcessEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !(WORKER_ONLY_SECRET_VARIABLES as readonly string[]).includes(k)) out[k] = v;
  }
  return out;
}
