// plan_project: runs `dbt ls` for the run's selection and turns it into a dependency DAG.
import { Context } from '@temporalio/activity';
import { codeOf } from '../../shared/failures.js';
import type { RunRequest } from '../../shared/input.js';
import type { ExecutionPlan, PlanNode } from '../../shared/plan.js';
import { packIfPossible } from '../../shared/plan-pack.js';
import { PAYLOAD_BUDGET_BYTES, jsonSize } from '../../shared/payload-budget.js';
import { buildPlanNodes } from '../planning/dag.js';
import { COMMAND_RESOURCE_TYPES, hookCommandWords } from '../planning/commands.js';
import type { ProjectGraph } from '../planning/project-graph.js';
import { invocationFor } from '../projects/resolve-cache.js';
import { readsRunInputEnv } from '../projects/run-input-env.js';
import { manifestForRun } from '../artifacts/manifest.js';
import type { ManifestDoc } from '../artifacts/manifest.js';
import { planFailure, selectorCharacterError } from '../planning/plan-errors.js';
import { emptySelectionWarnings } from '../planning/empty-selection.js';
import { fitListing, listingKeys, listingLines } from '../planning/listing.js';
import { DEFAULT_LIST_OPTIONS } from '../../shared/list-options.js';
import { idsToRetry, readArtifactRef } from './artifact-refs.js';
import { checkMemoryWarehouse } from './memory-warehouse.js';
import { rethrowCoded, toFailure } from './deps.js';
import { runEnvOf, runOnExecutor } from './executor-call.js';
import { planReuse, probesWarehouse } from '../reuse/plan-reuse.js';
import { detachRecords } from '../reuse/plan-records.js';
import { ReuseStateStore, stateDir } from '../reuse/state-store.js';
import type { PlanRecords } from '../reuse/plan-records.js';
import { ProbeSpeculator, attachedAnswer, probeMemoKey } from '../reuse/speculative-probe.js';
import { planCoordination, wantsLeases } from '../planning/coordination.js';
import { askPresence, askPresenceOf, planActivityFrame, presenceScope } from '../planning/plan-presence.js';
import type { AskedPresence } from '../planning/plan-presence.js';
import type { ActivityDeps } from './deps.js';
import type { NodeHistory } from '../priority/node-durations.js';
import type { Redactor } from '../redact.js';

/** `list` reports dbt ls's node set as is (every resource type), sorted, without dependencies. */
function listedNodes(graph: ProjectGraph, ids: readonly string[]): PlanNode[] {
  return [...new Set(ids)].sort().map((id) => {
    const node = graph.nodes.get(id);
    return { unique_id: id, name: node?.name ?? id.split('.').pop() ?? id, resource_type: node?.resource_type ?? id.split('.')[0] ?? 'unknown', depends_on: [] };
  });
}

/** What earlier runs measured on the nodes, durations and costs (the critical path of priority scheduling). */
function withDurations(nodes: PlanNode[], durations: ReadonlyMap<string, NodeHistory> | undefined): PlanNode[] {
  if (!durations || durations.size === 0) return nodes;
  return nodes.map((n) => {
    const h = durations.get(n.unique_id);
    return h === undefined ? n : { ...n, duration_s: Math.round(h.duration_s * 1000) / 1000, ...(h.cost === undefined ? {} : { cost: Math.round(h.cost) }) };
  });
}

/** Secrets (the worker's, the run's env) never reach the stored manifest (dbt keeps env_var() values in it). */
function redactText(deps: ActivityDeps, text: string): string {
  return deps.redact ? deps.redact.text(text) : text;
}

/**
 * The plan packed for its payload (plan-pack.ts); a clear, final failure when even that exceeds
 * Temporal's limit. Its nodes are redacted first, as the activity's result is (the packed nodes
 * keep their ids in arrays, which the redactor cannot tell from text; redact.ts).
 */
export function fitPlan(plan: ExecutionPlan, pack: boolean, redact?: Redactor): ExecutionPlan {
  const packed = pack ? packIfPossible(redact ? redact.data(plan) : plan) : plan;
  const size = jsonSize(packed);
  if (size <= PAYLOAD_BUDGET_BYTES) return packed;
  const mb = (b: number): string => (b / 1_000_000).toFixed(1);
  throw toFailure('SELECTION_ERROR', `the plan of ${plan.nodes.length} selected nodes is ${mb(size)} MB, more than one Temporal payload holds (${mb(PAYLOAD_BUDGET_BYTES)} MB of the server's 2 MB limit): select fewer nodes (--select / --exclude) and run them as several runs`);
}

export interface PlanProjectInput {
  request: RunRequest;
  /** Only from older workers: the run's input as JSON (now part of RUN_ENV_QUERY's answer). */
  run_input_json?: string;
  /** The run's invocation id: with artifact storage, the run's manifest is stored at plan time. */
  invocation_id?: string;
  /** The workflow unpacks a packed plan (plan-pack.ts); older workflows get it plain. @default false */
  pack?: boolean;
  /** The workflow waits for a scope presence the plan asked (plan-presence.ts); older workflows ask it themselves. @default false */
  ask_presence?: boolean;
}

export function createPlanProjectActivity(deps: ActivityDeps, records: PlanRecords | null = null) {
  const readsUnderscore = new Map<string, boolean>();
  const speculator = new ProbeSpeculator();
  return async function plan_project({ request: asked, invocation_id: invocationId, run_input_json: runInput, pack = false, ask_presence: askForRun = false }: PlanProjectInput): Promise<ExecutionPlan> {
    let project;
    try {
      project = deps.cache.pick(asked.project);
    } catch (err) {
      rethrowCoded(err);
    }
    const dir = project.location.dir;
    if (!readsUnderscore.has(dir)) readsUnderscore.set(dir, readsRunInputEnv(dir));
    const readsRunInput = readsUnderscore.get(dir) === true;
    // The env and the input's JSON are asked of the run (older workers sent them in the input).
    const carried = runInput !== undefined ? { env: asked.env, run_input_json: runInput } : null;
    const run = carried ?? (await runEnvOf(deps, asked.env, { remember: false }));
    const request = readsRunInput && run.run_input_json !== undefined ? { ...asked, env: { ...run.env, _: run.run_input_json } } : { ...asked, env: run.env };
    const badSelector = selectorCharacterError(request);
    if (badSelector) throw toFailure(codeOf({ kind: 'invalid-input' }), badSelector);
    const listOptions = request.command === 'list' ? (request.list ?? DEFAULT_LIST_OPTIONS) : null;
    const resourceTypes = listOptions && listOptions.resource_types.length > 0 ? listOptions.resource_types : COMMAND_RESOURCE_TYPES[request.command];
    // Read now so a missing or unreadable defer manifest fails the run before any node runs.
    if (request.defer_manifest_ref) await readArtifactRef(deps, 'defer_manifest_ref', request.defer_manifest_ref);
    const stateManifest = request.state_manifest_ref ? await readArtifactRef(deps, 'state_manifest_ref', request.state_manifest_ref) : null;
    const retry = request.retry_from ? idsToRetry(await readArtifactRef(deps, 'retry_from', request.retry_from)) : null;
    // A reuse plan's warehouse probe and state reads start with the ls once an earlier plan of the
    // same key made them (docs/reuse.md); the plan waits for them whatever happens, so they never
    // outlive the plan.
    const store = deps.observability?.store;
    const reuseInvocation = invocationId ? invocationFor(project, deps.defaults, { ...request, invocation_id: invocationId }) : null;
    // Only a plan that probes hashes the run's env and vars into its key.
    const memoKey = reuseInvocation && probesWarehouse(project, request, store ?? null) ? probeMemoKey(project.location.name, request.target, request.env, request.vars) : null;
    const attached = memoKey && deps.executor.mode === 'warm' ? speculator.attach(memoKey) : null;
    let speculative = reuseInvocation && memoKey && !attached
      ? speculator.start(memoKey, (warehouse) => (task) => runOnExecutor(deps, project, () => task, warehouse), reuseInvocation) : null;
    const prefetched = memoKey && store ? speculator.prefetch(memoKey, (target, ids) => new ReuseStateStore(store, stateDir(project.location.name, target)).readAll(ids)) : null;
    // The run's scope presence (plan-presence.ts): asked now where the last plan of its key asked it.
    const frame = askForRun && invocationId && !request.plan_only && request.command !== 'list' ? planActivityFrame() : null;
    const earlyScope = frame && memoKey ? speculator.presenceOf(memoKey) : null;
    let presence: AskedPresence | null = frame && earlyScope && invocationId ? askPresenceOf(frame, earlyScope, invocationId) : null;
    try {
      const result = await deps.executor.run({
        type: 'list',
        invocation: invocationFor(project, deps.defaults, { ...request, stateManifest, invocation_id: invocationId ?? null }),
        select: request.select,
        exclude: request.exclude,
        selector: request.selector,
        indirectSelection: request.indirect_selection,
        resourceTypes,
        // Relation leases read relation names from the run's manifest (docs/coordination.md).
        wantManifest: Boolean(invocationId && (deps.observability?.store || wantsLeases(project.settings, request.command, request.reuse))),
        ...(listOptions ? { outputKeys: listingKeys(listOptions) } : {}),
        // The probe reads the warehouse: on DuckDB, as the engine that holds the database.
        ...(attached ? { probe: attached.queries } : {}),
      }, attached ? { singleWriterKey: attached.warehouse } : {});
      if (result.type === 'error') {
        const failure = planFailure(result.code, result.message);
        throw toFailure(failure.code, failure.message);
      }
      if (result.type !== 'listed') throw new Error(`unexpected executor result ${result.type}`);
      if (attached) speculative = attachedAnswer(attached, result.probe);
      const warehouse = result.warehouse ?? null;
      if (warehouse?.startsWith('duckdb-memory:')) {
        await checkMemoryWarehouse({ project: project.location.name, target: request.target ?? deps.defaults.target ?? 'default', engineMode: deps.executor.mode });
      }
      const listed = retry ? result.uniqueIds.filter((id) => retry.has(id)) : result.uniqueIds;
      if (retry && listed.length === 0) {
        throw toFailure('SELECTION_ERROR', `every selected node succeeded in the previous run (${request.retry_from}): nothing to retry`);
      }
      const nodes = request.command === 'list' ? listedNodes(project.graph, listed) : withDurations(buildPlanNodes(project.graph, listed, request.command), deps.observability?.durations?.of(project.location.name));
      // As dbt: a selection that matches nothing is a warning and nothing to run, not an error.
      const dbtWarnings = result.warnings ?? [];
      const warnings = nodes.length === 0 ? emptySelectionWarnings(request, dbtWarnings, result.uniqueIds.length === 0) : dbtWarnings;
      // The manifest as this run parsed the project (its env, vars and target): what dbt itself
      // would write, and what --defer / state: comparisons of later runs must see.
      // Parsed once: stored, and read by reuse and coordination.
      const manifest = result.manifestJson ? (JSON.parse(result.manifestJson) as ManifestDoc) : null;
      const manifestPath = store && invocationId && manifest
        ? await store.put(invocationId, 'manifest.json', redactText(deps, manifestForRun(manifest, invocationId, new Date().toISOString())))
        : null;
      // Reuse (docs/reuse.md): which nodes are unchanged since their last build; after the
      // manifest is stored, so a failed probe never loses the plan's artifacts.
      const target = result.profile?.target ?? request.target ?? deps.defaults.target ?? 'default';
      // The presence the run needs (a preview's too, for the next plan of its key to ask early),
      // asked now if the early one was not it: its grant comes while the plan decides.
      const presenceAt = request.command === 'list' ? null : presenceScope({ settings: project.settings, command: request.command, reuse: request.reuse, target, warehouse, manifest, nodes });
      if (frame && invocationId) presence = askPresence(frame, presenceAt, invocationId, presence);
      const decided = invocationId && reuseInvocation && request.command !== 'list' ? await planReuse({
        project, request, invocationId, target, nodes, manifest, warehouse, store: store ?? null, leases: wantsLeases(project.settings, request.command, request.reuse),
        invocation: reuseInvocation, compile: (task) => runOnExecutor(deps, project, () => task, warehouse), speculative,
        probed: (adapter, scope, ids) => (memoKey ? speculator.remember(memoKey, { warehouse, adapter, scope, states: { target, ids }, ...(presenceAt ? { presence: presenceAt } : {}) }) : undefined),
        prefetched,
        log: (message, attrs) => Context.current().log.info(message, attrs),
      }) : nodes;
      const { nodes: coordinated, coordination } = request.command === 'list' ? { nodes: decided, coordination: null }
        : planCoordination({ settings: project.settings, command: request.command, reuse: request.reuse, fullRefresh: request.full_refresh, target, warehouse, manifest, nodes: decided });
      // The state built nodes record goes to one file, not into the plan (plan-records.ts).
      const detached = detachRecords(coordinated, target);
      const planned = detached.nodes;
      const reuseRecords = records && invocationId && !request.plan_only && Object.keys(detached.records).length > 0 ? await records.write(invocationId, detached.records) : null;
      return fitPlan({
        manifest_path: manifestPath,
        ...(reuseRecords ? { reuse_records: reuseRecords } : {}),
        project: project.location.name,
        command: request.command,
        target: request.target ?? deps.defaults.target,
        nodes: planned,
        has_on_run_start: project.graph.hooks.start && hookCommandWords(request.command) !== null,
        has_on_run_end: project.graph.hooks.end && hookCommandWords(request.command) !== null,
        reads_run_input: readsRunInput,
        warehouse,
        options: { retry: project.settings.retry, timeouts: project.settings.timeouts, hooks: project.settings.hooks },
        found: project.graph.found,
        concurrency: result.profile ?? null,
        ...(coordination ? { coordination: (await presence?.asked) === true ? { ...coordination, presence_asked: true } : coordination } : {}),
        warnings,
        ...(listOptions ? { listing: fitListing(listingLines(result.rows ?? [], listOptions)) } : {}),
      }, pack, deps.redact);
    } catch (err) {
      await presence?.withdraw();
      throw err;
    } finally {
      await Promise.all([speculative?.answer, prefetched?.states]);
    }
  };
}
