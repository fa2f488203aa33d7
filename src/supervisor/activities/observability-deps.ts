// What the observability activities (resolve_config, store_artifacts) need from the worker.
import type { ArtifactsConfig } from '../config/config.js';
import { createArtifactStore } from '../artifacts/store.js';
import type { ArtifactStore } from '../artifacts/store.js';
import type { NodeDurations } from '../priority/node-durations.js';

export interface ObservabilityDeps {
  /** Null unless WRITE_ARTIFACTS is on. */
  store: ArtifactStore | null;
  /** WRITE_RUN_LOG. @default true */
  writeRunLog: boolean;
  /** TEMPORAL_PRIORITY_SCHEDULING: priority and fairness keys on node activities. @default false */
  prioritySchedulingEnabled?: boolean;
  /** TEMPORAL_PRIORITY_HISTORY: measured node durations of earlier runs, for priority keys. @default null */
  durations?: NodeDurations | null;
  /** WRITE_CATALOG: also write dbt's catalog.json (dbt docs generate). @default false */
  writeCatalog?: boolean;
  /** TEMPORAL_SEARCH_ATTRIBUTES: static Keyword attributes of every run. @default {} */
  staticSearchAttributes: Record<string, string>;
}

export const NO_OBSERVABILITY: ObservabilityDeps = { store: null, writeRunLog: true, staticSearchAttributes: {} };

/** Builds the deps from the worker configuration (throws CONFIG_ERROR for unsupported stores). */
export function observabilityDeps(artifacts: ArtifactsConfig, staticSearchAttributes: Record<string, string>): ObservabilityDeps {
  return {
    store: artifacts.enabled ? createArtifactStore(artifacts.store, artifacts.objectStores, artifacts.retention) : null,
    writeRunLog: artifacts.writeRunLog,
    writeCatalog: artifacts.writeCatalog,
    staticSearchAttributes,
  };
}
