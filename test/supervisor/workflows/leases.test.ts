// dbt_run under leases with stubbed activities (the real dbt_lease workflow and acquire_lease on
// the suite's dev server): a target's limit holds across concurrent runs, and a run terminated
// while it holds a relation's lease loses it to the next run once the lease finds it closed.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import type { DbtRunOutput } from '../../../src/shared/contracts.js';
import { WORKFLOW_TYPE } from '../../../src/shared/names.js';
import type { ExecutionPlan } from '../../../src/shared/plan.js';
import { leaseWorkflowId } from '../../../src/shared/leases.js';
import { askPresenceOf, planActivityFrame } from '../../../src/supervisor/planning/plan-presence.js';
import { createStubActivities, planNode, planOf } from '../../support/stub-activities.js';
import { REPO_ROOT } from '../../support/paths.js';
import { useSuiteTemporal } from '../../support/suite-temporal.js';

const temporal = useSuiteTemporal();

/** A worker on a fresh task queue serving `plan` to every run, while `body` runs; `asked` counts lease requests by kind. */
async function withWorker<T>(plan: ExecutionPlan, before: (workflowId: string, uniqueId: string) => Promise<void>, body: (taskQueue: string) => Promise<T>, asked: Record<string, number> = {}): Promise<{ result: T; maxConcurrent: number }> {
  const stubs = createStubActivities(plan, Object.fromEntries(plan.nodes.map((n) => [n.unique_id, {
    before: () => before(Context.current().info.workflowExecution?.workflowId ?? '', n.unique_id),
  }])));
  const { acquire_lease: acquireLease, plan_project: planProject } = stubs.activities;
  const activities = { ...stubs.activities, acquire_lease: (input: Parameters<typeof acquireLease>[0]) => {
    const kind = input.workflow_id.split('/')[2] ?? '?';
    asked[kind] = (asked[kind] ?? 0) + 1;
    return acquireLease(input);
  }, plan_project: async (input: Parameters<typeof planProject>[0]) => {
    // A plan that says it asked the presence asks it here, as plan_project does (plan-presence.ts).
    const c = plan.coordination;
    const frame = planActivityFrame();
    if (c?.presence_asked && input.ask_presence && input.invocation_id && frame) await askPresenceOf(frame, c.scope, input.invocation_id).asked;
    return planProject(input);
  } };
  const taskQueue = `leases-${randomUUID()}`;
  const worker = await Worker.create({
    connection: temporal.nativeConnection(), taskQueue, activities,
    sinks: { runMetrics: { started: { fn: () => undefined }, finished: { fn: () => undefined } }, leaseMetrics: { waited: { fn: () => undefined } } },
    workflowBundle: { codePath: `${REPO_ROOT}dist/workflow-bundle.js` },
    dataConverter: { payloadConverterPath: `${REPO_ROOT}dist/src/supervisor/payload-converter.js` },
  });
  const result = await worker.runUntil(body(taskQueue));
  return { result, maxConcurrent: stubs.calls.maxConcurrent };
}

const start = (taskQueue: string, id: string) => temporal.client().workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: id, args: [{ command: 'build' }], workflowExecutionTimeout: '2 minutes' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('dbt_run under leases (stubbed activities)', () => {
  it('keeps concurrent runs to the target\'s limit, in the workflow, and logs each wait', async () => {
    const nodes = ['a', 'b', 'c'].map((n) => planNode('model', n));
    const plan = { ...planOf(nodes), coordination: { leases: false, scope: 'dev', admission: { target: 'dev', limit: 2 } } };
    const { result, maxConcurrent } = await withWorker(plan, () => sleep(300), async (tq) => {
      const handles = await Promise.all([1, 2, 3].map((i) => start(tq, `capped-${i}-${randomUUID()}`)));
      const outputs = (await Promise.all(handles.map((h) => h.result()))) as DbtRunOutput[];
      const logs = await Promise.all(handles.map((h) => h.query<{ lines: string[] }, [number]>('run_log', 0)));
      return { outputs, lines: logs.flatMap((l) => l.lines) };
    });
    expect(result.outputs.every((o) => o.success)).toBe(true);
    expect(maxConcurrent).toBe(2);
    expect(result.lines.filter((l) => / waited [\d.]+s for target dev's limit of 2 concurrent nodes$/.test(l)).length).toBeGreaterThan(0);
  });

  it('gives a terminated run\'s relation lease to the next run once the lease finds the holder closed', async () => {
    const node = { ...planNode('model', 'orders'), lease: { relation: '"db"."s"."orders"', reuse: false } };
    const plan = { ...planOf([node]), coordination: { leases: true, scope: `dev-${randomUUID()}`, admission: null, ping_ms: 1_000 } };
    const holderId = `holder-${randomUUID()}`;
    let release = (): void => undefined;
    const stuck = new Promise<void>((r) => (release = r));
    const { result } = await withWorker(plan, (wf) => (wf === holderId ? stuck : Promise.resolve()), async (tq) => {
      const holder = await start(tq, holderId);
      // The holder's node runs (it holds the lease), then its run is terminated.
      for (let i = 0; i < 100 && !((await holder.describe()).raw.pendingActivities ?? []).length; i++) await sleep(100);
      const next = await start(tq, `next-${randomUUID()}`);
      await sleep(500);
      await holder.terminate('test: a run that dies holding a lease');
      const output = (await next.result()) as DbtRunOutput;
      const { lines } = await next.query<{ lines: string[] }, [number]>('run_log', 0);
      release();
      return { output, lines };
    });
    expect(result.output.success).toBe(true);
    expect(result.lines.some((l) => l.startsWith(`model:orders waited `) && l.includes(`for run ${holderId} building "db"."s"."orders"`))).toBe(true);
  });

  it('takes no relation lease for a run alone on its scope, and never builds a relation in two runs at once', async () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => ({ ...planNode('model', n), lease: { relation: `"db"."s"."${n}"`, reuse: false } }));
    const plan = { ...planOf(nodes), coordination: { leases: true, scope: `dev-${randomUUID()}`, admission: null } };
    const running = new Map<string, number>();
    let overlapped = 0;
    const asked: Record<string, number> = {};
    const { result } = await withWorker(plan, async (_wf, id) => {
      running.set(id, (running.get(id) ?? 0) + 1);
      if ((running.get(id) ?? 0) > 1) overlapped += 1;
      await sleep(400);
      running.set(id, (running.get(id) ?? 1) - 1);
    }, async (tq) => {
      const alone = (await (await start(tq, `alone-${randomUUID()}`)).result()) as DbtRunOutput;
      const askedAlone = { ...asked };
      // Two runs at once: the second arrives while the first (solo) runs its nodes.
      const first = await start(tq, `first-${randomUUID()}`);
      await sleep(300);
      const second = await start(tq, `second-${randomUUID()}`);
      const outputs = (await Promise.all([first.result(), second.result()])) as DbtRunOutput[];
      return { alone, askedAlone, outputs };
    }, asked);
    expect(result.alone.success).toBe(true);
    expect(result.askedAlone).toEqual({ presence: 1 });
    expect(result.outputs.every((o) => o.success)).toBe(true);
    expect(overlapped).toBe(0);
    expect(asked['relation'] ?? 0).toBeGreaterThan(0);
  });

  it('waits for the presence its plan asked without asking it, and gives it back whether its nodes ran or were all reused', async () => {
    const leased = ['a', 'b'].map((n) => ({ ...planNode('model', n), lease: { relation: `"db"."s"."${n}"`, reuse: false } }));
    const reused = leased.map((n) => ({ ...n, reuse: { action: 'reuse' as const, from: 'earlier', reason: 'unchanged since earlier' } }));
    const scope = `dev-${randomUUID()}`;
    const plan: ExecutionPlan = { ...planOf(leased), coordination: { leases: true, scope, admission: null, presence_asked: true } };
    const asked: Record<string, number> = {};
    const { result } = await withWorker(plan, () => Promise.resolve(), async (tq) => {
      const runs: { output: DbtRunOutput; invocationId: string }[] = [];
      for (const nodes of [leased, reused]) {
        plan.nodes = nodes;
        const handle = await start(tq, `asked-${randomUUID()}`);
        runs.push({ output: (await handle.result()) as DbtRunOutput, invocationId: handle.firstExecutionRunId });
      }
      // What the scope's presence lease was asked and given back, by request id.
      const history = await temporal.client().workflow.getHandle(leaseWorkflowId(tq, 'presence', scope)).fetchHistory();
      const signals = (history.events ?? []).flatMap((e) => {
        const a = e.workflowExecutionSignaledEventAttributes ?? e.workflowExecutionStartedEventAttributes;
        const name = e.workflowExecutionSignaledEventAttributes?.signalName ?? 'start';
        const data = a?.input?.payloads?.[0]?.data;
        return data && name !== 'start' ? [[name, (JSON.parse(Buffer.from(data).toString()) as { id: string }).id]] : [];
      });
      return { runs, signals };
    }, asked);
    expect(result.runs.map((r) => r.output.success)).toEqual([true, true]);
    expect(result.runs[1]?.output.node_results.map((r) => r.status)).toEqual(['no-op', 'no-op']);
    // The runs asked nothing themselves: not the presence (their plans did), not a relation (each was alone).
    expect(asked).toEqual({});
    const ids = result.runs.map((r) => `${r.invocationId}:presence`);
    expect(result.signals).toEqual(ids.flatMap((id) => [['dbt_lease_acquire', id], ['dbt_lease_release', id]]));
  });
});
