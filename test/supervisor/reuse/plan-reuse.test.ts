import { describe, expect, it } from 'vitest';
import type { CompileTask, DbtInvocation, ExecutorResult } from '../../../src/shared/executor-protocol.js';
import { parseRunInput } from '../../../src/shared/input.js';
import type { PlanNode } from '../../../src/shared/plan.js';
import type { ManifestDoc } from '../../../src/supervisor/artifacts/manifest.js';
import type { ArtifactStore } from '../../../src/supervisor/artifacts/store.js';
import type { ResolvedProject } from '../../../src/supervisor/projects/resolve-cache.js';
import { planReuse } from '../../../src/supervisor/reuse/plan-reuse.js';
import type { PlanReuseInput } from '../../../src/supervisor/reuse/plan-reuse.js';
import type { ProbeAnswer } from '../../../src/supervisor/reuse/probe.js';
import { probeScope } from '../../../src/supervisor/reuse/probe-scope.js';
import type { PrefetchedStates, SpeculativeProbe } from '../../../src/supervisor/reuse/speculative-probe.js';

const A = 'model.p.a';
const SRC = 'source.p.raw.orders';
const manifest = (rawSchema = 'raw'): ManifestDoc => ({
  metadata: { adapter_type: 'duckdb' },
  nodes: { [A]: { unique_id: A, resource_type: 'model', raw_code: 'select 1', database: 'wh', schema: 'main', alias: 'a', relation_name: '"wh"."main"."a"', depends_on: { nodes: [SRC], macros: [] } } },
  sources: { [SRC]: { unique_id: SRC, resource_type: 'source', database: 'wh', schema: rawSchema, name: 'orders', relation_name: `"wh"."${rawSchema}"."orders"` } },
});
const entriesOf = (m: ManifestDoc) => new Map(Object.entries({ ...m.nodes, ...m.sources }));

/** An artifact store in memory (reuse state only). */
function memoryStore(): ArtifactStore {
  const files = new Map<string, string>();
  return {
    location: 'mem', refOf: (dir, name) => `${dir}/${name}`,
    put: async (dir, name, content) => (files.set(`${dir}/${name}`, content), `${dir}/${name}`),
    get: async (ref) => {
      const text = files.get(ref);
      if (text === undefined) throw new Error('missing');
      return text;
    },
  };
}

const PROBED = JSON.stringify({ exists: ['wh.main.a'], versions: [[SRC, 'probed']] });
const compiled = (code: string): ExecutorResult => ({ type: 'compiled', runResultsJson: JSON.stringify({ results: [{ unique_id: 'sql_operation.p.inline', compiled_code: code }] }) });

/** planReuse on one model, with the probes it ran and what it logged. */
async function plan(speculative: SpeculativeProbe | null, runManifest = manifest(), prefetched: PrefetchedStates | null = null) {
  const probes: CompileTask[] = [];
  const logged: Record<string, number | string>[] = [];
  const told: { adapter: string; scope: unknown; ids: readonly string[] }[] = [];
  const project = { location: { name: 'p' }, settings: { reuse: { enabled: true, stateful: false } }, graph: { adapterType: 'duckdb', projectName: 'p', nodes: new Map() } } as unknown as ResolvedProject;
  const nodes: PlanNode[] = [{ unique_id: A, name: 'a', resource_type: 'model', depends_on: [] }];
  const input: PlanReuseInput = {
    project, request: { ...parseRunInput({ command: 'build' }), reuse: true }, invocationId: 'run-2', target: 'dev', nodes, manifest: runManifest, warehouse: null,
    store: memoryStore(), invocation: { dbtPath: 'dbt' } as DbtInvocation, speculative, probed: (adapter, scope, ids) => told.push({ adapter, scope, ids }), prefetched,
    compile: async (task) => (probes.push(task), compiled(PROBED)), log: (_m, attrs) => logged.push(attrs),
  };
  const planned = await planReuse(input);
  return { planned, probes, logged: logged[0], told };
}

const spec = (m: ManifestDoc, answer: ProbeAnswer | string, adapter = 'duckdb'): SpeculativeProbe => ({
  adapter, scope: probeScope(entriesOf(m), [A]), answer: Promise.resolve(answer),
});
const ANSWER: ProbeAnswer = { exists: new Set(['wh.main.a', 'wh.main.other']), versions: new Map([[SRC, 'speculated'], ['source.p.raw.more', 'x']]) };

describe('planReuse with a speculative probe', () => {
  it('uses a covering answer (it may hold more) and probes no more', async () => {
    const { probes, logged, planned } = await plan(spec(manifest(), ANSWER));
    expect(probes).toEqual([]);
    expect(logged).toMatchObject({ speculated: 1, speculative: 1 });
    expect(planned[0]?.reuse).toMatchObject({ action: 'build', reason: 'no earlier build recorded' });
  });

  it('probes as before when the answer does not cover the run, is for another adapter, failed, or there is none', async () => {
    const cases: [SpeculativeProbe | null, string | undefined][] = [
      [spec(manifest('raw_elsewhere'), ANSWER), 'scope'], [spec(manifest(), ANSWER, 'postgres'), 'scope'], [spec(manifest(), 'no warehouse'), 'no warehouse'], [null, undefined]];
    for (const [s, missed] of cases) {
      const { probes, logged } = await plan(s);
      expect(probes.map((t) => t.inline !== null)).toEqual([true]);
      expect(logged).toMatchObject({ speculated: s ? 1 : 0, speculative: 0 });
      expect(logged?.['speculation_missed']).toBe(missed);
    }
  });

  it("tells what the run's probe and state reads must read, for the next plan of its key", async () => {
    const { told } = await plan(null);
    expect(told).toEqual([{ adapter: 'duckdb', scope: probeScope(entriesOf(manifest()), [A]), ids: [A] }]);
  });

  it('takes the states read beside its ls when they are of its target, else reads its own', async () => {
    const early = (target: string): PrefetchedStates => ({
      target, ids: new Set([A]), states: Promise.resolve(new Map([[A, { fp: null, parts: {}, invocation_id: 'run-1', built_at: '2026-01-01T00:00:00Z' }]])),
    });
    expect((await plan(null, manifest(), early('dev'))).planned[0]?.reuse).toMatchObject({ action: 'build', reason: 'last built by run-1 without reuse' });
    // Another target's states (the profile resolved another one this time) are not this run's.
    expect((await plan(null, manifest(), early('prod'))).planned[0]?.reuse).toMatchObject({ action: 'build', reason: 'no earlier build recorded' });
  });
});
