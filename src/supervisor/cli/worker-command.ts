// `dbt-temporal worker`: the long-running, env-configured worker process.
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logger.js';
import { startWorkerRuntime } from '../main.js';

export async function workerCommand(): Promise<number> {
  const log = createLogger(process.env['LOG_LEVEL'] ?? 'info');
  const config = loadConfig(process.env, process.cwd());
  const runtime = await startWorkerRuntime(config, log);
  const stop = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void runtime.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await runtime.run();
  return 0;
}

