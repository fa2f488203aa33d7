// The worker's configuration: the only reader of process.env, validated once at startup.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, venvTool } from '../package-root.js';
import { readArtifactsConfig, readGitConfig } from './artifacts-config.js';
import type { ArtifactsConfig, GitConfig } from './artifacts-config.js';
import { readEnum, readInt, readString } from './env-reader.js';
import type { Env } from './env-reader.js';
import { readMetricsConfig } from './metrics-config.js';
import type { MetricsConfig } from './metrics-config.js';
import { readHealthConfig, readLoggingConfig, readTelemetryConfig } from './runtime-config.js';
import type { HealthConfig, LoggingConfig, TelemetryConfig } from './runtime-config.js';
import { readCodecKeys } from '../codec/codec-config.js';
import type { CodecKeys } from '../codec/aes-gcm-codec.js';
import { dbtProcessEnv, secretEnvNames, secretValues } from './secrets.js';
import { readTemporalConfig } from './temporal-config.js';
import { readTracingConfig } from './tracing-config.js';
import type { TracingConfig } from './tracing-config.js';
import type { TemporalConfig } from './temporal-config.js';
import { readWorkerConfig } from './worker-config.js';
import type { WorkerConfig } from './worker-config.js';

export type { ArtifactsConfig, GitConfig, HealthConfig, LoggingConfig, MetricsConfig, TelemetryConfig, TemporalConfig, TracingConfig, WorkerConfig };
export { normalizeAddress } from './temporal-config.js';

export interface DbtConfig {
  /** Project sources in discovery order (`DBT_PROJECT_DIRS` > `DBT_PROJECTS_DIR` > `DBT_PROJECT_DIR` > cwd). */
  projectSpec: { kind: 'dirs'; dirs: string[]; variable: string } | { kind: 'parent'; dir: string } | { kind: 'cwd'; dir: string };
  /** Directory holding profiles.yml; null means each project's own directory. */
  profilesDir: string | null;
  /** Startup target; null means the profile's default. */
  target: string | null;
  /** Path of the dbt executable. @default .venv/bin/dbt of this package, else `dbt` on PATH */
  executable: string;
  /** Per-node dbt timeout. @default 3600000 */
  nodeTimeoutMs: number;
  /** `DBT_ENGINE_MODE`: long-lived `warm` dbt engines or one `subprocess` per node. @default warm */
  engineMode: 'warm' | 'subprocess';
}

export interface Config {
  /** The worker's environment minus worker-only secrets, handed to dbt (each run's `env` goes on top). */
  processEnv: Record<string, string>;
  /** Secret values (API keys, tokens, passwords from the environment): redacted wherever they could surface. */
  secrets: string[];
  /** `DBT_TEMPORAL_SECRET_ENV`: names whose values are secret in a run's `env`, beyond secret-looking names. @default [] */
  secretEnvNames: string[];
  /** Payload codec keys (`DBT_TEMPORAL_CODEC_KEYS`); null: payloads are not encrypted. @default null */
  codec: CodecKeys | null;
  temporal: TemporalConfig;
  dbt: DbtConfig;
  worker: WorkerConfig;
  artifacts: ArtifactsConfig;
  git: GitConfig;
  health: HealthConfig;
  metrics: MetricsConfig;
  logging: LoggingConfig;
  telemetry: TelemetryConfig;
  tracing: TracingConfig;
}

/** This package's version (build ids, identity). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The dbt executable: DBT_EXECUTABLE, else the project-managed venv, else PATH. */
export function resolveDbtExecutable(env: Env): string {
  return readString(env, 'DBT_EXECUTABLE') ?? venvTool('dbt', env) ?? 'dbt';
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function projectSpec(env: Env, cwd: string): DbtConfig['projectSpec'] {
  const dirs = readString(env, 'DBT_PROJECT_DIRS');
  if (dirs !== undefined) return { kind: 'dirs', dirs: splitList(dirs), variable: 'DBT_PROJECT_DIRS' };
  const parent = readString(env, 'DBT_PROJECTS_DIR');
  if (parent !== undefined) return { kind: 'parent', dir: parent };
  const single = readString(env, 'DBT_PROJECT_DIR');
  if (single !== undefined) return { kind: 'dirs', dirs: [single], variable: 'DBT_PROJECT_DIR' };
  return { kind: 'cwd', dir: cwd };
}

/** Reads and validates the whole configuration; throws CodedError('CONFIG_ERROR') naming the variable. */
export function loadConfig(env: Env, cwd: string): Config {
  return {
    processEnv: dbtProcessEnv(env),
    secrets: secretValues(env),
    secretEnvNames: secretEnvNames(env),
    codec: readCodecKeys(env),
    temporal: readTemporalConfig(env, packageVersion()),
    dbt: {
      projectSpec: projectSpec(env, cwd),
      profilesDir: readString(env, 'DBT_PROFILES_DIR') ?? null,
      target: readString(env, 'DBT_TARGET') ?? null,
      executable: resolveDbtExecutable(env),
      nodeTimeoutMs: readInt(env, 'DBT_NODE_TIMEOUT_SECS', 3600, 1) * 1000,
      engineMode: readEnum(env, 'DBT_ENGINE_MODE', ['warm', 'subprocess'] as const, 'warm'),
    },
    worker: readWorkerConfig(env),
    artifacts: readArtifactsConfig(env),
    git: readGitConfig(env),
    health: readHealthConfig(env),
    metrics: readMetricsConfig(env),
    logging: readLoggingConfig(env),
    telemetry: readTelemetryConfig(env),
    tracing: readTracingConfig(env),
  };
}
