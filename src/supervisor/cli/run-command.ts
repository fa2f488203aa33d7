// `dbt-temporal run`: start a dbt_run on a task queue (worker elsewhere) and wait for it.
import { loadConfig } from '../config/config.js';
import { RUN_INPUT_FLAGS, parseFlags, runInputFromFlags } from './args.js';
import { reportOutcome } from './report.js';
import { startRunAndWait } from './start-run.js';

export const RUN_USAGE = `Usage: dbt-temporal run [--command C] [--select S] [--exclude E] [--project P] [--target T]
                        [--input JSON] [--task-queue Q] [--json]
Starts a dbt_run workflow on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_TASK_QUEUE and waits.`;

export async function runCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, { ...RUN_INPUT_FLAGS, 'task-queue': { type: 'string' }, 'workflow-id': { type: 'string' } });
  if (values.help) {
    process.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const input = runInputFromFlags(values);
  const config = loadConfig(process.env, process.cwd());
  const outcome = await startRunAndWait({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: values['task-queue'] ?? config.temporal.taskQueue,
    input,
    progress: !values.json,
    ...(values['workflow-id'] ? { workflowId: values['workflow-id'] } : {}),
  });
  return reportOutcome(outcome, values.json ?? false);
}
