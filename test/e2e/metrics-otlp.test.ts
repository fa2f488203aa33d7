// TEMPORAL_METRICS_EXPORTER=otlp: the Temporal SDK's worker metrics go to an OTLP/gRPC
// collector (a real gRPC receiver on loopback), with the configured headers.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2eWorker } from '../support/e2e-worker.js';
import { startMetricsReceiver } from '../support/otlp-grpc-receiver.js';
import type { MetricsReceiver } from '../support/otlp-grpc-receiver.js';
import { SECOND_PROJECT } from '../support/paths.js';

let receiver: MetricsReceiver;

// Before the worker's hooks: the receiver is up before the worker starts and closed after it stops.
beforeAll(async () => {
  receiver = await startMetricsReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

const e2e = useE2eWorker('metrics-otlp', (scratch) => ({
  DBT_PROJECT_DIR: SECOND_PROJECT, SECOND_DUCKDB_PATH: join(scratch, 's.duckdb'), TEMPORAL_METRICS_EXPORTER: 'otlp', TEMPORAL_METRICS_OTLP_URL: receiver.url,
  TEMPORAL_METRICS_OTLP_HEADERS: 'authorization=Bearer metrics-t0ken',
}));

describe('OTLP metrics exporter', () => {
  it('sends the SDK worker metrics to an OTLP/gRPC collector with the configured headers', async () => {
    const res = await e2e.run({ command: 'seed' });
    expect(res.ok, res.message ?? '').toBe(true);
    const wanted = ['temporal_activity_execution_latency', 'temporal_workflow_completed'];
    const deadline = Date.now() + 30_000;
    while (!wanted.every((n) => receiver.metricNames.has(n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect([...receiver.metricNames].filter((n) => wanted.includes(n)).sort()).toEqual(wanted.sort());
    expect([...receiver.metricNames].some((n) => n.startsWith('temporal_worker_task_slots'))).toBe(true);
    expect(receiver.metadata[0]?.get('authorization')).toEqual(['Bearer metrics-t0ken']);
  });
});
