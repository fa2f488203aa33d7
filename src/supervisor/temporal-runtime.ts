// Installs the process-wide Temporal Runtime: our logger, Core log forwarding, and the SDK's
// metrics exporter (Prometheus or OTLP). Must run before any connection is created.
import { freePort } from './dev-server.js';
import { Runtime } from '@temporalio/worker';
import type { TelemetryOptions } from '@temporalio/worker';
import type { Config } from './config/config.js';
import type { Logger } from './logger.js';
import { scrapeUrlFor } from './metrics/sdk-metrics.js';
import { temporalLogger } from './temporal-logger.js';

export interface InstalledRuntime {
  /** Where the SDK's Prometheus metrics can be read, or null (OTLP or no metrics). */
  sdkMetricsUrl: string | null;
}


/** The metrics part of the telemetry options and where to read Prometheus text from. */
export async function sdkMetricsOptions(config: Config): Promise<{ metrics: TelemetryOptions['metrics']; url: string | null }> {
  const m = config.metrics;
  if (m.exporter === 'otlp' && m.otlp) {
    const otel = { url: m.otlp.url, http: m.otlp.protocol === 'http', headers: m.otlp.headers, useSecondsForDurations: true };
    return { metrics: { otel }, url: null };
  }
  // Without an explicit exporter the SDK metrics are still served on our /metrics, through a
  // private loopback endpoint; with `prometheus` they are also on the configured address.
  if (m.exporter === 'none' && config.health.port === null) return { metrics: undefined, url: null };
  const bindAddress = m.exporter === 'prometheus' ? m.prometheusAddr : `127.0.0.1:${await freePort()}`;
  const prometheus = { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true };
  return { metrics: { prometheus }, url: scrapeUrlFor(bindAddress) };
}

export async function installTemporalRuntime(config: Config, log: Logger): Promise<InstalledRuntime> {
  const { metrics, url } = await sdkMetricsOptions(config);
  Runtime.install({
    logger: temporalLogger(log),
    // Signals are handled by the worker command, which shuts down in order and exits 0.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: config.logging.coreFilter ?? { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metrics ? { metrics } : {}),
    },
  });
  return { sdkMetricsUrl: url };
}
