// The worker's operational surface: metrics registry, readiness, the HTTP server
// (HEALTH_PORT) and the health canary file (HEALTH_FILE). Started first, closed last.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { packageVersion } from './config/config.js';
import { clearHealthFile, healthFileAgeMs, startHealthFile } from './health/health-file.js';
import type { HealthFile } from './health/health-file.js';
import { Readiness } from './health/readiness.js';
import { buildServer, listen } from './http/server.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics/metrics.js';
import type { WorkerMetrics } from './metrics/metrics.js';
import { metricsRenderer } from './metrics/sdk-metrics.js';

export interface Operations {
  metrics: WorkerMetrics;
  readiness: Readiness;
  /** Bound HTTP port, or null when HEALTH_PORT is unset or the bind failed. */
  port: number | null;
  /** Creates the health file and keeps it fresh (call once the worker is built). */
  startHealthFile(): Promise<void>;
  close(): Promise<void>;
}

export async function startOperations(config: Config, log: Logger, sdkMetricsUrl: string | null): Promise<Operations> {
  const metrics = createMetrics({ version: packageVersion() });
  const readiness = new Readiness();
  const file = config.health.file;
  // A file left by an earlier process must not vouch for this one.
  if (file !== null) await clearHealthFile(file);
  metrics.bind({
    ready: () => readiness.state.ready,
    healthFileAgeSeconds: async () => {
      const age = file === null ? null : await healthFileAgeMs(file);
      return age === null ? null : age / 1000;
    },
  });
  let app: FastifyInstance | null = null;
  let port: number | null = null;
  if (config.health.port !== null) {
    app = buildServer({
      healthFile: file,
      readiness: () => readiness.state,
      metrics: { contentType: metrics.registry.contentType, render: metricsRenderer(metrics, sdkMetricsUrl) },
    });
    try {
      port = await listen(app, config.health.port);
      log.info({ port, health_file: file }, 'health server listening');
    } catch (err) {
      // As in the Rust worker: a bind failure is logged, not fatal.
      log.error({ port: config.health.port, err: (err as Error).message }, 'health server could not listen');
      await app.close();
      app = null;
    }
  }
  let healthFile: HealthFile | null = null;
  return {
    metrics,
    readiness,
    port,
    async startHealthFile() {
      if (file === null || healthFile !== null) return;
      healthFile = await startHealthFile(file, {}, (err) => log.warn({ err: err.message, health_file: file }, 'health file touch failed'));
      log.info({ health_file: file }, 'health file started');
    },
    async close() {
      healthFile?.stop();
      await app?.close();
      app = null;
    },
  };
}
