// resolve_config (a local activity): the worker-side settings a run needs that workflow code
// cannot read: whether artifacts are stored, and which search attributes may be upserted.
import { Context } from '@temporalio/activity';
import { SEARCH_ATTRIBUTE_NAMES } from '../../shared/run-status.js';
import { DEFAULT_RUN_OPTIONS } from '../../shared/run-options.js';
import type { ActivityDeps } from './deps.js';
import { NO_OBSERVABILITY } from './observability-deps.js';

export interface RunConfig {
  artifacts_enabled: boolean;
  /** TEMPORAL_PRIORITY_SCHEDULING: node activities carry priority and fairness keys. */
  priority_scheduling?: boolean;
  /** WRITE_CATALOG (only with artifacts): generate catalog.json after the run. */
  write_catalog?: boolean;
  /** Our attributes (DbtProject, ...) registered as Keyword on the namespace. */
  search_attributes: string[];
  /** Static attributes (TEMPORAL_SEARCH_ATTRIBUTES) registered as Keyword. */
  static_search_attributes: Record<string, string>;
  /** The run's project's timeouts.plan_secs (dbt_temporal.yml), for the plan activity. */
  plan_secs?: number;
}

export interface ResolveConfigInput {
  /** The run's `project` (null: the only loaded project). */
  project?: string | null;
}

const REGISTRATION_TTL_MS = 60_000;
const KEYWORD = 2;

export function createResolveConfigActivity(deps: ActivityDeps) {
  const obs = deps.observability ?? NO_OBSERVABILITY;
  let cached: { at: number; types: Map<string, number> | null } | null = null;
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string): void => {
    if (warned.has(key)) return;
    warned.add(key);
    Context.current().log.warn(message);
  };

  async function registered(): Promise<Map<string, number> | null> {
    if (cached && Date.now() - cached.at < REGISTRATION_TTL_MS) return cached.types;
    const ctx = Context.current();
    try {
      const res = (await ctx.client.connection.operatorService.listSearchAttributes({ namespace: ctx.info.workflowNamespace ?? null })) as unknown as {
        systemAttributes?: Record<string, unknown>; customAttributes?: Record<string, unknown>;
      };
      const types = new Map<string, number>();
      for (const group of [res.systemAttributes, res.customAttributes]) for (const [k, v] of Object.entries(group ?? {})) types.set(k, Number(v));
      cached = { at: Date.now(), types };
    } catch (err) {
      warnOnce('list-failed', `cannot list the namespace's search attributes (${(err as Error).message}); runs set no search attributes`);
      cached = { at: Date.now(), types: null };
    }
    return cached.types;
  }

  /** The project's plan timeout; the default when it is unknown (planning then reports why). */
  const planSecs = (project: string | null | undefined): number => {
    try {
      return deps.cache.pick(project ?? null).settings.timeouts.plan_secs;
    } catch {
      return DEFAULT_RUN_OPTIONS.timeouts.plan_secs;
    }
  };

  return async function resolve_config(input?: ResolveConfigInput): Promise<RunConfig> {
    const types = await registered();
    const ours = Object.values(SEARCH_ATTRIBUTE_NAMES).filter((name) => types?.get(name) === KEYWORD);
    const missing = Object.values(SEARCH_ATTRIBUTE_NAMES).filter((name) => types !== null && types.get(name) !== KEYWORD);
    if (missing.length > 0) {
      warnOnce(`ours:${missing.join(',')}`, `search attributes not registered as Keyword on the namespace, skipped: ${missing.join(', ')} (register them with: temporal operator search-attribute create --name <name> --type Keyword)`);
    }
    const statics: Record<string, string> = {};
    const skipped: string[] = [];
    for (const [key, value] of Object.entries(obs.staticSearchAttributes)) {
      const type = types?.get(key);
      if (type === KEYWORD) statics[key] = value;
      else skipped.push(key);
    }
    if (types !== null && skipped.length > 0) warnOnce(`static:${skipped.join(',')}`, `TEMPORAL_SEARCH_ATTRIBUTES keys not registered as Keyword on the namespace, skipped: ${skipped.join(', ')}`);
    return { artifacts_enabled: obs.store !== null, priority_scheduling: obs.prioritySchedulingEnabled ?? false, write_catalog: obs.store !== null && (obs.writeCatalog ?? false), search_attributes: ours, static_search_attributes: statics, plan_secs: planSecs(input?.project) };
  };
}
