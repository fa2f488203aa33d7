// DBT_EXPORT_TO_OTLP: one OpenTelemetry trace per run, found from the run (trace id = the
// invocation id), with dbt's spans (plan, project hooks, nodes with their timing, artifacts)
// and Temporal's own spans, sent over OTLP/HTTP to a real receiver on loopback.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootSpanIdFor, traceIdFor } from '../../src/shared/trace-ids.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { readHistory } from '../support/history.js';
import { startTraceReceiver } from '../support/otlp-receiver.js';
import type { ReceivedSpan, TraceReceiver } from '../support/otlp-receiver.js';
import { REPO_ROOT } from '../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/hooks_duck`;
const SECRET = 'tr4ce-s3cret-v4lue';
let receiver: TraceReceiver;

async function spansOf(traceId: string, until: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (until(spans) || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Before the worker's hooks: the receiver is up before the worker starts and closed after it stops.
beforeAll(async () => {
  receiver = await startTraceReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

const e2e = useE2eWorker('tracing', (scratch) => ({
  DBT_PROJECT_DIR: PROJECT,
  DBT_EXPORT_TO_OTLP: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'dbt-e2e', OTEL_BSP_SCHEDULE_DELAY: '200',
  WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(scratch, 'artifacts'), TRACE_TEST_PASSWORD: SECRET,
}));

describe('OpenTelemetry traces', () => {
  it('exports one trace per run, whose id is the invocation id, with a span per node and plan, hooks and artifacts spans', async () => {
    const res = await e2e.run({ env: { HOOKS_DUCKDB_PATH: join(e2e.scratch, 'traced.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    const output = res.output!;
    const traceId = traceIdFor(output.invocation_id);
    expect(traceId).toBe(output.invocation_id.replace(/-/g, ''));
    const spans = await spansOf(traceId, (s) => s.some((x) => x.name === 'dbt_run'));
    const byName = (name: string) => spans.filter((s) => s.name === name);

    // The root span carries the derived span id; every other span descends from it.
    const root = byName('dbt_run');
    expect(root).toHaveLength(1);
    expect(root[0]).toMatchObject({ spanId: rootSpanIdFor(output.invocation_id), parentSpanId: '', attributes: { 'dbt.status': 'success', 'dbt.command': 'build', 'dbt.project': 'hooks_duck' } });
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => s.name !== 'dbt_run' && !ids.has(s.parentSpanId)).map((s) => s.name)).toEqual([]);
    expect(new Set(spans.map((s) => s.resource['service.name']))).toEqual(new Set(['dbt-e2e']));

    // One span per node activity, with its dbt attributes and dbt's timing as child spans.
    const nodes = output.node_results.filter((r) => !r.unique_id.startsWith('operation.'));
    expect(nodes.length).toBe(3);
    for (const r of nodes) {
      const span = spans.filter((s) => s.attributes['dbt.unique_id'] === r.unique_id);
      expect(span, r.unique_id).toHaveLength(1);
      const [type] = r.unique_id.split('.');
      expect(span[0]!.attributes).toMatchObject({ 'dbt.resource_type': type, 'dbt.status': r.status, 'dbt.invocation_id': output.invocation_id });
      expect(span[0]!.name.startsWith(`${type}:`)).toBe(true);
      const rows = r.adapter_response['rows_affected'];
      if (typeof rows === 'number') expect(span[0]!.attributes['dbt.rows_affected']).toBe(rows);
      const children = spans.filter((s) => s.parentSpanId === span[0]!.spanId).map((s) => s.name).sort();
      expect(children).toEqual(r.timing.map((t) => `dbt.${t.name}`).sort());
      expect(children.length).toBeGreaterThan(0);
    }
    expect(byName('dbt.plan')[0]?.attributes['dbt.node_count']).toBe(3);
    expect(byName('dbt.hooks on-run-start')).toHaveLength(1);
    expect(byName('dbt.hooks on-run-end')).toHaveLength(1);
    expect(byName('dbt.artifacts')).toHaveLength(1);
    // Temporal's own spans (the SDK's OpenTelemetry interceptors) are in the same trace.
    for (const name of ['RunWorkflow:dbt_run', 'StartActivity:execute_node', 'RunActivity:execute_node', 'RunActivity:plan_project']) {
      expect(byName(name).length, name).toBeGreaterThan(0);
    }
    expect(receiver.contentTypes.every((t) => t.includes('protobuf'))).toBe(true);
  });

  it('never exports a secret, even in a failure message', async () => {
    const res = await e2e.run({ command: `bogus-${SECRET}` });
    expect(res.errorType).toBe('INVALID_INPUT');
    const traceId = traceIdFor((await e2e.client.client.workflow.getHandle(res.workflowId).describe()).runId);
    const rootSpan = (await spansOf(traceId, (s) => s.some((x) => x.name === 'dbt_run'))).find((s) => s.name === 'dbt_run');
    expect(rootSpan?.status.code).toBe(2);
    expect(rootSpan?.status.message).toContain('***');
    expect(receiver.bodies.some((b) => b.includes(SECRET))).toBe(false);
  });

  it('keeps runs unaffected when the collector goes away, and warns once', async () => {
    await receiver.close();
    const warnings = () => e2e.worker.logs().split('\n').filter((l) => l.includes('OTLP trace export failed')).length;
    const res = await e2e.run({ command: 'run', select: 'first', env: { HOOKS_DUCKDB_PATH: join(e2e.scratch, 'down.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    // No activity was retried or held back by the exporter.
    const history = await readHistory(e2e.client, res.workflowId);
    expect(history.activities.filter((a) => a.attempt !== 1 || a.outcome !== 'completed').map((a) => a.activityId)).toEqual([]);
    const deadline = Date.now() + 15_000;
    while (warnings() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // The run's spans left in several batches (every 200 ms here), all failed: still one warning.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(warnings()).toBe(1);
  });
});
