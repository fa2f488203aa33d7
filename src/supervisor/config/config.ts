// The worker's configuration: the only reader of process.env, validated once at startup.
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../../shared/names.js';
import { venvTool } from '../package-root.js';
import { readEnum, readInt, readString } from './env-reader.js';
import type { Env } from './env-reader.js';

export interface TemporalConfig {
  /** `host:port` of the frontend (scheme removed). @default localhost:7233 */
  address: string;
  /** @default default */
  namespace: string;
  /** @default dbt-tasks */
  taskQueue: string;
}

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

export interface WorkerConfig {
  /** Activity slots; the executor pool follows it. @default 100 */
  maxConcurrentActivities: number;
  /** @default 200 */
  maxConcurrentWorkflowTasks: number;
}

export interface Config {
  /** The worker's environment, handed to dbt processes (each run's `env` goes on top). */
  processEnv: Record<string, string>;
  temporal: TemporalConfig;
  dbt: DbtConfig;
  worker: WorkerConfig;
}

/** The dbt executable: DBT_EXECUTABLE, else the project-managed venv, else PATH. */
export function resolveDbtExecutable(env: Env): string {
  return readString(env, 'DBT_EXECUTABLE') ?? venvTool('dbt') ?? 'dbt';
}

/** Strips an http(s):// scheme: the SDK wants host:port. */
export function normalizeAddress(raw: string): string {
  return raw.replace(/^https?:\/\//, '').replace(/\/+$/, '');
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
  const processEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) processEnv[k] = v;
  return {
    processEnv,
    temporal: {
      address: normalizeAddress(readString(env, 'TEMPORAL_ADDRESS') ?? 'localhost:7233'),
      namespace: readString(env, 'TEMPORAL_NAMESPACE') ?? DEFAULT_NAMESPACE,
      taskQueue: readString(env, 'TEMPORAL_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE,
    },
    dbt: {
      projectSpec: projectSpec(env, cwd),
      profilesDir: readString(env, 'DBT_PROFILES_DIR') ?? null,
      target: readString(env, 'DBT_TARGET') ?? null,
      executable: resolveDbtExecutable(env),
      nodeTimeoutMs: readInt(env, 'DBT_NODE_TIMEOUT_SECS', 3600, 1) * 1000,
      engineMode: readEnum(env, 'DBT_ENGINE_MODE', ['warm', 'subprocess'] as const, 'warm'),
    },
    worker: {
      maxConcurrentActivities: readInt(env, 'WORKER_MAX_CONCURRENT_ACTIVITIES', 100, 1),
      maxConcurrentWorkflowTasks: readInt(env, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 200, 2),
    },
  };
}
