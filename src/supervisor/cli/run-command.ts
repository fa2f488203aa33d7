// `dbt-temporal run`: start a dbt_run on a task queue (worker elsewhere) and wait for it.
import { loadConfig } from '../config/config.js';
import { RUN_INPUT_FLAGS, parseFlags, runInputFromFlags } from './args.js';
import { reportOutcome } from './report.js';
import { connectionOptions } from '../worker-options.js';
import { startRunAndWait } from './start-run.js';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec.js';

export const RUN_USAGE = `Usage: dbt-temporal run [--input JSON] [--project P] [--command C] [--select S] [--exclude E]
                        [--indirect-selection M] [--vars JSON] [--env K=V]... [--target T]
                        [--full-refresh] [--fail-fast] [--defer-manifest-ref R] [--state-manifest-ref R]
                        [--retry-from R] [--event-time-start T] [--event-time-end T]
                        [--task-queue Q] [--workflow-id ID] [--json]
Starts a dbt_run workflow on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_TASK_QUEUE and waits.`;

export async function runCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, { ...RUN_INPUT_FLAGS, 'task-queue': { type: 'string' }, 'workflow-id': { type: 'string' } });
  if (values.help) {
    process.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const input = runInputFromFlags(values);
  const config = loadConfig(process.env, process.cwd());
  const { tls, apiKey } = connectionOptions(config.temporal);
  const outcome = await startRunAndWait({
    address: config.temporal.address,
    ...(tls ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(config.codec ? { codec: new AesGcmPayloadCodec(config.codec) } : {}),
    namespace: config.temporal.namespace,
    taskQueue: values['task-queue'] ?? config.temporal.taskQueue,
    input,
    progress: !values.json,
    ...(values['workflow-id'] ? { workflowId: values['workflow-id'] } : {}),
  });
  return reportOutcome(outcome, values.json ?? false);
}
