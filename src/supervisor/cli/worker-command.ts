// `dbt-temporal worker`: the long-running, env-configured worker process. SIGTERM/SIGINT stop
// polling, let in-flight nodes finish within WORKER_GRACEFUL_SHUTDOWN_SECS, then cancel them,
// close everything and exit 0.
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logger.js';
import { startWorkerRuntime } from '../main.js';
import type { WorkerRuntime } from '../main.js';
import { createRedactor } from '../redact.js';
import { installTemporalRuntime } from '../temporal-runtime.js';

export async function workerCommand(): Promise<number> {
  const config = loadConfig(process.env, process.cwd());
  const redact = createRedactor(config.secrets);
  const log = createLogger(config.logging.level, redact);
  let runtime: WorkerRuntime | null = null;
  let stopRequested = false;
  const stop = (signal: string): void => {
    if (stopRequested) {
      log.warn({ signal }, 'shutdown already in progress');
      return;
    }
    stopRequested = true;
    log.info({ signal }, 'shutting down');
    void runtime?.shutdown();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const { sdkMetricsUrl } = await installTemporalRuntime(config, log);
  runtime = await startWorkerRuntime(config, log, { sdkMetricsUrl, redact });
  if (stopRequested) {
    await runtime.shutdown();
    return 0;
  }
  await runtime.run();
  return 0;
}
