// TEMPORAL_METRICS_EXPORTER=otlp: the Temporal SDK's worker metrics go to an OTLP/gRPC
// collector (a real gRPC receiver on loopback), with the configured headers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../support/client.js';
import type { TestClient } from '../support/client.js';
import { startMetricsReceiver } from '../support/otlp-grpc-receiver.js';
import type { MetricsReceiver } from '../support/otlp-grpc-receiver.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { startWorker } from '../support/worker-process.js';
import type { WorkerProcess } from '../support/worker-process.js';

let scratch: string;
let receiver: MetricsReceiver;
let worker: WorkerProcess;
let client: TestClient;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-metrics-otlp-'));
  receiver = await startMetricsReceiver();
  worker = await startWorker({
    ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), DBT_PROJECT_DIR: SECOND_PROJECT,
    SECOND_DUCKDB_PATH: join(scratch, 's.duckdb'), TEMPORAL_METRICS_EXPORTER: 'otlp', TEMPORAL_METRICS_OTLP_URL: receiver.url,
    TEMPORAL_METRICS_OTLP_HEADERS: 'authorization=Bearer metrics-t0ken',
  });
  client = await connectClient(inject('temporalAddress'));
});

afterAll(async () => {
  await client?.close();
  await worker?.stop();
  await receiver?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('OTLP metrics exporter', () => {
  it('sends the SDK worker metrics to an OTLP/gRPC collector with the configured headers', async () => {
    const res = await client.run(worker.taskQueue, { command: 'seed' });
    expect(res.ok, res.message ?? '').toBe(true);
    const wanted = ['temporal_activity_execution_latency', 'temporal_workflow_completed'];
    const deadline = Date.now() + 30_000;
    while (!wanted.every((n) => receiver.metricNames.has(n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect([...receiver.metricNames].filter((n) => wanted.includes(n)).sort()).toEqual(wanted.sort());
    expect([...receiver.metricNames].some((n) => n.startsWith('temporal_worker_task_slots'))).toBe(true);
    expect(receiver.metadata[0]?.get('authorization')).toEqual(['Bearer metrics-t0ken']);
  });
});
