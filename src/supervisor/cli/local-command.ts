// `dbt-temporal local`: everything on one machine. An embedded Temporal dev server, a worker
// for one project, one run, then teardown.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config.js';
import { startDevServer, temporalExecutable } from '../dev-server.js';
import { createLogger } from '../logger.js';
import { startWorkerRuntime } from '../main.js';
import { temporalLogger } from '../temporal-logger.js';
import { RUN_INPUT_FLAGS, UsageError, parseFlags, runInputFromFlags } from './args.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../shared/run-status.js';
import { reportOutcome } from './report.js';
import { startRunAndWait } from './start-run.js';

export const LOCAL_USAGE = `Usage: dbt-temporal local --project-dir DIR [--profiles-dir DIR] [the run flags above] [--json] [--verbose]
Starts an embedded Temporal dev server and a worker for DIR, runs one dbt_run, then tears down.`;

/** `--search-attribute Name=Keyword` for each of our search attributes (registered on the dev server). */
export function searchAttributeArgs(): string[] {
  return Object.values(SEARCH_ATTRIBUTE_NAMES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}

export async function localCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv, {
    ...RUN_INPUT_FLAGS,
    'project-dir': { type: 'string' },
    'profiles-dir': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  });
  if (values.help) {
    process.stdout.write(`${LOCAL_USAGE}\n`);
    return 0;
  }
  const projectDir = values['project-dir'];
  if (!projectDir) throw new UsageError('--project-dir is required');
  const input = runInputFromFlags(values);
  const verbose = values.verbose ?? false;
  const log = createLogger(verbose ? 'info' : 'warn');
  // Everything but the run's report goes to stderr (stdout may be --json): Core's own logs are
  // forwarded into our logger instead of its console output.
  Runtime.install({ logger: temporalLogger(log), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });

  const taskQueue = `dbt-temporal-local-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string | undefined> = { ...process.env, DBT_PROJECT_DIR: resolve(projectDir), TEMPORAL_TASK_QUEUE: taskQueue };
  delete env['DBT_PROJECT_DIRS'];
  delete env['DBT_PROJECTS_DIR'];
  if (values['profiles-dir']) env['DBT_PROFILES_DIR'] = resolve(values['profiles-dir']);
  const server = await startDevServer({ executable: temporalExecutable(process.env), extraArgs: searchAttributeArgs() });
  try {
    env['TEMPORAL_ADDRESS'] = server.address;
    env['TEMPORAL_NAMESPACE'] = 'default';
    const config = loadConfig(env, process.cwd());
    const runtime = await startWorkerRuntime(config, log);
    const running = runtime.run();
    try {
      if (!values.json) process.stderr.write(`dbt-temporal local: Temporal dev server on ${server.address}, running on queue ${taskQueue}\n`);
      const outcome = await startRunAndWait({ address: server.address, namespace: 'default', taskQueue, input, progress: !values.json });
      return reportOutcome(outcome, values.json ?? false);
    } finally {
      await runtime.shutdown();
      await running;
    }
  } finally {
    await server.close();
  }
}
