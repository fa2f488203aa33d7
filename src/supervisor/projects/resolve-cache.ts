// Resolves every project once at startup (dbt parse into a throw-away dir) and keeps what
// planning and execution need in memory: the node graph and dbt's partial-parse cache.
import { CodedError } from '../../shared/errors.js';
import type { DbtInvocation } from '../../shared/executor-protocol.js';
import { dbtInvocation } from '../../shared/node-request.js';
import type { InvocationBase, RunSettings } from '../../shared/node-request.js';
import type { Executor } from '../../executor/index.js';
import { graphFromManifest } from '../planning/project-graph.js';
import type { ProjectGraph } from '../planning/project-graph.js';
import type { ProjectLocation } from './discover.js';
import type { ParseSeeds } from './parse-cache.js';
import { loadProjectSettings } from './project-settings.js';
import type { ProjectSettings } from './project-settings.js';

export interface ResolvedProject {
  location: ProjectLocation;
  /** dbt_temporal.yml: retry policy, timeouts, non-retryable error patterns. */
  settings: ProjectSettings;
  graph: ProjectGraph;
  manifestJson: string;
  partialParse: Uint8Array | null;
  resolvedAt: number;
}

export interface InvocationDefaults {
  dbtPath: string;
  target: string | null;
  baseEnv: Record<string, string>;
  timeoutMs: number;
}

export class ResolveCache {
  private readonly projects = new Map<string, ResolvedProject>();

  constructor(projects: readonly ResolvedProject[]) {
    for (const p of projects) this.projects.set(p.location.name, p);
  }

  get names(): string[] {
    return [...this.projects.keys()].sort();
  }

  /** The project a run asked for; auto-selected when exactly one is loaded. */
  pick(requested: string | null): ResolvedProject {
    const available = this.names.join(', ');
    if (requested === null) {
      if (this.projects.size === 1) return [...this.projects.values()][0] as ResolvedProject;
      throw new CodedError('PROJECT_NOT_FOUND', `no project specified and multiple projects loaded; available projects: ${available}`);
    }
    const hit = this.projects.get(requested);
    if (!hit) throw new CodedError('PROJECT_NOT_FOUND', `project '${requested}' not found; available projects: ${available}`);
    return hit;
  }
}

/** The worker's side of a project's invocations: where dbt and the project are, and its defaults. */
export function invocationBase(project: ResolvedProject, defaults: InvocationDefaults): InvocationBase {
  return {
    dbtPath: defaults.dbtPath, projectDir: project.location.dir, profilesDir: project.location.profilesDir,
    target: defaults.target, baseEnv: defaults.baseEnv, partialParse: project.partialParse, timeoutMs: defaults.timeoutMs,
  };
}

/** The dbt invocation for a project with a run's target, vars and env overlaid. */
export function invocationFor(project: ResolvedProject, defaults: InvocationDefaults, run: RunSettings): DbtInvocation {
  return dbtInvocation(invocationBase(project, defaults), run);
}

/**
 * Parses each project with dbt; any failure is a startup error naming the project. With
 * `seeds`, a parse starts from the partial-parse file an earlier worker left (`local`).
 */
export async function resolveProjects(locations: readonly ProjectLocation[], executor: Executor, defaults: InvocationDefaults, seeds: ParseSeeds | null = null): Promise<ResolveCache> {
  const resolved = await Promise.all(
    locations.map(async (location) => {
      const settings = loadProjectSettings(location.dir);
      const seed = seeds?.read(location, defaults.target) ?? null;
      const shell: ResolvedProject = { location, settings, graph: null as unknown as ProjectGraph, manifestJson: '', partialParse: seed, resolvedAt: 0 };
      const result = await executor.run({ type: 'parse', invocation: invocationFor(shell, defaults, { target: null, vars: {}, env: {} }) });
      if (result.type === 'error') {
        throw new CodedError('CONFIG_ERROR', `project '${location.name}' (${location.dir}) failed to resolve: ${result.message}`);
      }
      if (result.type !== 'parsed') throw new Error(`unexpected executor result ${result.type}`);
      if (result.partialParse) seeds?.write(location, defaults.target, result.partialParse);
      return { location, settings, graph: graphFromManifest(result.manifestJson), manifestJson: result.manifestJson, partialParse: result.partialParse, resolvedAt: Date.now() };
    }),
  );
  return new ResolveCache(resolved);
}
