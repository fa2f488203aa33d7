// `dbt-temporal run [<dbt command>] [flags]`: start a dbt_run for workers elsewhere and wait.
// From inside a dbt project (or with --project-dir) the run is for that project, by name.
import { loadConfig } from '../config/config.js';
import { connectionOptions } from '../worker-options.js';
import { runInputFromArgs } from './args.js';
import { createDisplay, displayMode } from './display.js';
import { commandUsage } from './help.js';
import { parseArgv } from './parse-argv.js';
import { findProjectDir, projectNameIn } from './project-paths.js';
import { reportOutcome } from './report.js';
import { startRunAndWait } from './start-run.js';
import { uiBaseUrl, workflowUrl } from './ui-link.js';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec.js';

type Env = Record<string, string | undefined>;

/** The project directory a `run` names: --project-dir, else the dbt project around cwd, if any. */
function projectDirOf(flag: string | undefined, cwd: string): string | null {
  if (flag !== undefined) return findProjectDir(flag, cwd);
  try {
    return findProjectDir(undefined, cwd);
  } catch {
    return null; // not inside a project: the worker picks (its only project, or --project)
  }
}

export async function runCommand(argv: string[], env: Env, cwd: string): Promise<number> {
  const parsed = parseArgv(argv, 'run');
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v['help']) {
    process.stdout.write(`${commandUsage('run')}\n`);
    return 0;
  }
  const input = runInputFromArgs(parsed);
  if (!input.project) {
    const dir = projectDirOf(v['project-dir'] as string | undefined, cwd);
    const name = dir ? projectNameIn(dir) : null;
    if (name) input.project = name;
  }
  const config = loadConfig(env, cwd);
  const { tls, apiKey } = connectionOptions(config.temporal);
  const json = v['json'] === true;
  const mode = displayMode({ quiet: v['quiet'] === true, isTty: process.stdout.isTTY === true, ci: Boolean(env['CI']) });
  const ui = uiBaseUrl(env, config.temporal.address);
  const outcome = await startRunAndWait({
    address: config.temporal.address,
    ...(tls ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(config.codec ? { codec: new AesGcmPayloadCodec(config.codec) } : {}),
    namespace: config.temporal.namespace,
    taskQueue: (v['task-queue'] as string | undefined) ?? config.temporal.taskQueue,
    input,
    // `list` prints dbt ls's lines at the end, nothing while it runs.
    ...(json || input.command === 'list' ? {} : { display: createDisplay(mode, { write: (t) => process.stdout.write(t), columns: () => process.stdout.columns || 100 }) }),
    ...(v['workflow-id'] ? { workflowId: v['workflow-id'] as string } : {}),
    onStarted: ({ workflowId, runId }) => {
      if (ui) process.stderr.write(`dbt-temporal: Temporal UI: ${workflowUrl(ui, config.temporal.namespace, workflowId, runId)}\n`);
    },
  });
  return reportOutcome(outcome, { json, nodeLines: outcome.shownLines === 0 && mode !== 'quiet' });
}
