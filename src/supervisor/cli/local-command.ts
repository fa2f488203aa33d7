// `dbt-temporal local [<dbt command>] [flags]`: everything on one machine. An embedded Temporal
// dev server, a worker for the project (found as dbt finds it), one run, then teardown; with
// --ui the dev server's Web UI stays up until Ctrl-C.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/config.js';
import { CodedError } from '../../shared/errors.js';
import { startDevServer, temporalExecutable } from '../dev-server.js';
import { startWorkerRuntime } from '../main.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../shared/run-status.js';
import { runInputFromArgs } from './args.js';
import { createDisplay, displayMode } from './display.js';
import { commandUsage } from './help.js';
import { openLocalLogs } from './local-logs.js';
import { UsageError, parseArgv } from './parse-argv.js';
import { findProfilesDir, findProjectDir } from './project-paths.js';
import { reportOutcome } from './report.js';
import { startRunAndWait } from './start-run.js';
import { ensureToolchain } from './toolchain.js';
import { workflowUrl } from './ui-link.js';

type Env = Record<string, string | undefined>;

/** `--search-attribute Name=Keyword` for each of our search attributes (registered on the dev server). */
export function searchAttributeArgs(): string[] {
  return Object.values(SEARCH_ATTRIBUTE_NAMES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}

function threadsOf(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[1-9]\d*$/.test(value)) throw new UsageError(`--threads must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

const untilInterrupted = (): Promise<void> => new Promise((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

export async function localCommand(argv: string[], baseEnv: Env, cwd: string): Promise<number> {
  const parsed = parseArgv(argv, 'local');
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v['help']) {
    process.stdout.write(`${commandUsage('local')}\n`);
    return 0;
  }
  const projectDir = findProjectDir(v['project-dir'] as string | undefined, cwd);
  const profilesDir = findProfilesDir(v['profiles-dir'] as string | undefined, baseEnv, projectDir, cwd);
  const input = runInputFromArgs(parsed);
  const threads = threadsOf(v['threads'] as string | undefined);
  const json = v['json'] === true;
  if (!ensureToolchain(baseEnv, true)) throw new CodedError('CONFIG_ERROR', 'the Python toolchain could not be set up (see above)');

  const logs = openLocalLogs({ verbose: v['verbose'] === true, file: v['log-file'] as string | undefined, cwd });
  const taskQueue = `dbt-temporal-local-${randomUUID().slice(0, 8)}`;
  const env: Env = { ...baseEnv, DBT_PROJECT_DIR: projectDir, DBT_PROFILES_DIR: profilesDir, TEMPORAL_TASK_QUEUE: taskQueue };
  delete env['DBT_PROJECT_DIRS'];
  delete env['DBT_PROJECTS_DIR'];
  if (threads) env['WORKER_MAX_CONCURRENT_ACTIVITIES'] = threads;
  const note = (text: string): boolean => process.stderr.write(`dbt-temporal: ${text}\n`);
  note(`project ${projectDir} (profiles ${profilesDir})`);
  note(logs.path ? `worker log: ${logs.path}` : 'worker logs on stderr (--verbose)');
  const server = await startDevServer({ executable: temporalExecutable(env), extraArgs: searchAttributeArgs(), ui: v['ui'] === true });
  let code = 1;
  try {
    env['TEMPORAL_ADDRESS'] = server.address;
    env['TEMPORAL_NAMESPACE'] = 'default';
    const config = loadConfig(env, cwd);
    const runtime = await startWorkerRuntime(config, logs.log);
    const running = runtime.run();
    try {
      const mode = json ? 'quiet' : displayMode({ quiet: v['quiet'] === true, isTty: process.stdout.isTTY === true, ci: Boolean(baseEnv['CI']) });
      let pageUrl: string | null = null;
      const outcome = await startRunAndWait({
        address: server.address, namespace: 'default', taskQueue, input,
        ...(json ? {} : { display: createDisplay(mode, { write: (t) => process.stdout.write(t), columns: () => process.stdout.columns || 100 }) }),
        onStarted: ({ workflowId, runId }) => {
          pageUrl = server.uiUrl ? workflowUrl(server.uiUrl, 'default', workflowId, runId) : null;
          if (pageUrl) note(`Temporal UI: ${pageUrl}`);
        },
      });
      code = reportOutcome(outcome, { json, nodeLines: outcome.shownLines === 0 && mode !== 'quiet' });
      if (pageUrl) {
        note(`Temporal UI of this run: ${pageUrl}`);
        note('the dev server and its UI stay up until Ctrl-C');
        await untilInterrupted();
      }
    } finally {
      await runtime.shutdown();
      await running;
    }
  } finally {
    await server.close();
    const kept = await logs.finish(code === 0);
    if (kept) note(`worker log: ${kept}`);
  }
  return code;
}
