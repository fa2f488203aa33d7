// Artifact store and git credentials for fetching projects.
import { configError, readBool, readNumber, readString } from './env-reader.js';
import type { RetentionOptions } from '../artifacts/retention.js';
import type { Env } from './env-reader.js';
import { readObjectStoreConfig } from './object-store-config.js';
import type { ObjectStoreConfig } from './object-store-config.js';

export interface ArtifactsConfig {
  /** Write run_results.json, manifest.json and log.txt after each run. @default false */
  enabled: boolean;
  /** Local directory, `gs://bucket/prefix` or `s3://bucket/prefix`. @default /tmp/dbt-artifacts */
  store: string;
  /** Write log.txt (true unless `0`/`false`). @default true */
  writeRunLog: boolean;
  /** Write catalog.json (needs `enabled`). @default false */
  writeCatalog: boolean;
  /** Clients for `s3://` and `gs://` locations (artifact store and project sources). */
  objectStores: ObjectStoreConfig;
  /** `ARTIFACT_RETENTION_RUNS` / `ARTIFACT_RETENTION_DAYS`: pruning of a local store after each run. @default no limits */
  retention: RetentionOptions;
}

export interface GitConfig {
  /** https token for `git+https://` project sources (`GITHUB_TOKEN`, else `GIT_TOKEN`); a secret. @default null */
  token: string | null;
}

export function readArtifactsConfig(env: Env): ArtifactsConfig {
  const store = readString(env, 'ARTIFACT_STORE') ?? '/tmp/dbt-artifacts';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(store)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'gs' && scheme !== 's3' && scheme !== 'file') {
    throw configError('ARTIFACT_STORE', store, 'a local path, file://path, gs://bucket/prefix or s3://bucket/prefix');
  }
  if ((scheme === 'gs' || scheme === 's3') && !/^[a-z0-9]+:\/\/[^/\s]+/i.test(store)) {
    throw configError('ARTIFACT_STORE', store, `${scheme}://bucket[/prefix] with a bucket name`);
  }
  return {
    enabled: readBool(env, 'WRITE_ARTIFACTS', false),
    store,
    writeRunLog: readBool(env, 'WRITE_RUN_LOG', true),
    writeCatalog: readBool(env, 'WRITE_CATALOG', false),
    objectStores: readObjectStoreConfig(env),
    retention: {
      maxRuns: readNumber(env, 'ARTIFACT_RETENTION_RUNS', undefined, 1) ?? null,
      maxAgeDays: readNumber(env, 'ARTIFACT_RETENTION_DAYS', undefined, 0.001) ?? null,
    },
  };
}

export function readGitConfig(env: Env): GitConfig {
  return { token: readString(env, 'GITHUB_TOKEN') ?? readString(env, 'GIT_TOKEN') ?? null };
}
