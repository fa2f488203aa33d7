// `dbt-temporal healthcheck`: exit 0 when HEALTH_FILE was touched in the last 60 s, else 1.
// It only reads the file; it never starts the worker.
import { HEALTH_STALE_AFTER_MS, healthFileAgeMs } from '../health/health-file.js';

export async function healthcheckCommand(env: Record<string, string | undefined>): Promise<number> {
  const file = env['HEALTH_FILE']?.trim() || '/tmp/health';
  const age = await healthFileAgeMs(file);
  if (age === null) {
    process.stderr.write(`unhealthy: ${file} does not exist\n`);
    return 1;
  }
  if (age >= HEALTH_STALE_AFTER_MS) {
    process.stderr.write(`unhealthy: ${file} is stale (${Math.round(age / 1000)}s old)\n`);
    return 1;
  }
  return 0;
}
