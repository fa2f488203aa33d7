// `dbt-temporal healthcheck`: exit 0 when HEALTH_FILE was touched in the last 60 s, else 1.
import { stat } from 'node:fs/promises';

export const HEALTH_STALE_AFTER_MS = 60_000;

export async function healthcheckCommand(env: Record<string, string | undefined>): Promise<number> {
  const file = env['HEALTH_FILE']?.trim() || '/tmp/health';
  try {
    const { mtimeMs } = await stat(file);
    const age = Date.now() - mtimeMs;
    if (age < HEALTH_STALE_AFTER_MS) return 0;
    process.stderr.write(`unhealthy: ${file} is stale (${Math.round(age / 1000)}s old)\n`);
  } catch {
    process.stderr.write(`unhealthy: ${file} does not exist\n`);
  }
  return 1;
}
