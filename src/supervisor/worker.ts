// Assembles the Temporal worker: connection (plain, TLS, mTLS, API key), prebuilt workflow
// bundle, injected activities, tuning, and the metrics/log/secret interceptors and sinks.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ActivitySlotInfo, CustomSlotSupplier, InjectedSinks, WorkerOptions } from '@temporalio/worker';
import { readMachine } from '../executor/index.js';
import { CodedError } from '../shared/errors.js';
import { PAYLOAD_WARN_BYTES } from '../shared/payload-budget.js';
import type { Activities } from './activities/index.js';
import type { Config } from './config/config.js';
import { AesGcmPayloadCodec } from './codec/aes-gcm-codec.js';
import { FailureHygieneInterceptor } from './interceptors/failure-hygiene.js';
import { NodeMetricsInterceptor } from './interceptors/node-metrics.js';
import type { Logger } from './logger.js';
import type { WorkerMetrics } from './metrics/metrics.js';
import type { RunMetricsSinks } from './metrics/run-interceptor.js';
import type { LeaseSinks } from './workflows/coordination.js';
import type { Redactor } from './redact.js';
import type { Context } from '@temporalio/activity';
import { DurationRecorder } from './priority/duration-recorder.js';
import type { NodeDurations } from './priority/node-durations.js';
import type { Tracing } from './tracing/tracing.js';
import { tracingWorkerOptions } from './tracing/worker-tracing.js';
import { connectionOptions, tuningOptions } from './worker-options.js';

export const WORKFLOW_BUNDLE_PATH = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));
/** Bundled into the workflow code too (scripts/bundle-workflows.mjs); the worker must name the same module. */
const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('./payload-converter.js', import.meta.url));

export interface TemporalWorkerDeps {
  metrics: WorkerMetrics;
  log: Logger;
  redact: Redactor;
  /** Where execute_node results' durations are recorded (TEMPORAL_PRIORITY_HISTORY); absent: nowhere. */
  durations?: NodeDurations | null;
  /** Nexus services to serve (NEXUS_ENABLED); absent: none. */
  nexusServices?: NonNullable<WorkerOptions['nexusServices']>;
  /** OpenTelemetry (DBT_EXPORT_TO_OTLP); null or absent: no tracing. */
  tracing?: Tracing | null;
  /** Activity slots with some kept for eager dispatch (reserved-slots.ts); absent: the tuner's own. */
  activitySlots?: CustomSlotSupplier<ActivitySlotInfo> | null;
}

function runMetricsSinks(metrics: WorkerMetrics, log: Logger): InjectedSinks<RunMetricsSinks> {
  return {
    runMetrics: {
      started: {
        fn: (info, command) => {
          metrics.runsStarted.inc({ command });
          log.info({ workflow_id: info.workflowId, run_id: info.runId, command }, 'run started');
        },
      },
      finished: {
        fn: (info, command, status) => {
          metrics.runsFinished.inc({ command, status });
          log.info({ workflow_id: info.workflowId, run_id: info.runId, command, status }, 'run finished');
        },
      },
    },
  };
}

/** Waits for leases and admission slots (the workflows report them once, never on replay). */
function leaseSinks(metrics: WorkerMetrics): InjectedSinks<LeaseSinks> {
  return { leaseMetrics: { waited: { fn: (_info, kind, seconds) => metrics.leaseWait.observe({ kind }, seconds) } } };
}

/** TLS switched on only by TEMPORAL_API_KEY: say so when the connection fails (a plain-text server). */
function tlsHint(config: Config, err: unknown): unknown {
  const t = config.temporal;
  const byKeyOnly = t.apiKey !== null && t.tls !== null && !t.tls.clientCertPair && !t.tls.serverRootCACertificate && !t.tls.serverNameOverride;
  if (!byKeyOnly) return err;
  return new CodedError('CONFIG_ERROR', `cannot connect to ${t.address}: TLS is on because TEMPORAL_API_KEY is set (API keys are sent over TLS only). `
    + `For a server without TLS set TEMPORAL_TLS=false; for a private CA set TEMPORAL_TLS_CA. (${(err as Error).message})`, { cause: err });
}

export async function createTemporalWorker(config: Config, activities: Activities, deps: TemporalWorkerDeps): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({
    ...connectionOptions(config.temporal),
    // Large runs deliberately use payloads up to our budget (a 1,500-node result is ~750 KB);
    // warn only when one escapes it, well before the server's 2 MB limit.
    payloadLimits: { payloadsWarnSize: PAYLOAD_WARN_BYTES },
  }).catch((err: unknown) => {
    throw tlsHint(config, err);
  });
  const traced = deps.tracing ? tracingWorkerOptions(deps.tracing) : null;
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: { codePath: traced?.workflowBundlePath ?? WORKFLOW_BUNDLE_PATH },
      dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, ...(config.codec ? { payloadCodecs: [new AesGcmPayloadCodec(config.codec)] } : {}) },
      activities,
      ...(deps.nexusServices?.length ? { nexusServices: deps.nexusServices } : {}),
      ...tuningOptions(config.worker, config.temporal, process.pid, readMachine().memoryMb, deps.activitySlots ?? null),
      interceptors: {
        activity: [
          // First listed is outermost: hygiene sees what the metrics interceptor rethrows.
          (ctx) => ({ inbound: new FailureHygieneInterceptor(ctx, deps.redact, config.secretEnvNames) }),
          (ctx) => ({ inbound: new NodeMetricsInterceptor(ctx, deps.metrics, deps.log) }),
          ...(deps.durations ? [(ctx: Context) => ({ inbound: new DurationRecorder(ctx.info.activityType, deps.durations as NodeDurations) })] : []),
          ...(traced?.activity ?? []),
        ],
        ...(traced ? { nexus: traced.nexus } : {}),
      },
      sinks: { ...runMetricsSinks(deps.metrics, deps.log), ...leaseSinks(deps.metrics), ...traced?.sinks },
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
