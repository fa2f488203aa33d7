// `dbt-temporal local [<dbt command>] [flags]`: everything on one machine. An embedded Temporal
// dev server and a worker for the project (found as dbt finds it), kept warm in a background
// daemon between runs (local-daemon-*.ts), or started for one run and torn down (--no-daemon);
// with --ui the dev server's Web UI stays up until Ctrl-C.
import { CodedError } from '../../shared/errors.js';
import { runInputFromArgs } from './args.js';
import { createDisplay, displayMode } from './display.js';
import { commandUsage } from './help.js';
import { daemonBackend, inlineBackend } from './local-backend.js';
import { stopDaemon } from './local-daemon-client.js';
import { UsageError, parseArgv } from './parse-argv.js';
import { findProfilesDir, findProjectDir } from './project-paths.js';
import { reportOutcome } from './report.js';
import { ensureToolchain } from './toolchain.js';
import { workflowUrl } from './ui-link.js';


type Env = Record<string, string | undefined>;

/** The daemon's idle timeout: --idle-timeout, else DBT_TEMPORAL_LOCAL_IDLE_SECS, else 300 s. */
function idleMsOf(flag: string | undefined, env: Env): number {
  const raw = flag ?? (env['DBT_TEMPORAL_LOCAL_IDLE_SECS']?.trim() || '300');
  const name = flag !== undefined ? '--idle-timeout' : 'DBT_TEMPORAL_LOCAL_IDLE_SECS';
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`${name} must be a number of seconds, got ${JSON.stringify(raw)}`);
  return Math.round(Number(raw) * 1000);
}

/** Whether the run goes to the warm daemon: not with --no-daemon (or DBT_TEMPORAL_LOCAL_DAEMON=0), nor with flags that need this process's worker. */
function usesDaemon(v: Record<string, string | boolean | undefined>, env: Env): boolean {
  const off = v['no-daemon'] === true || /^(0|false|no|off)$/i.test(env['DBT_TEMPORAL_LOCAL_DAEMON']?.trim() ?? '');
  return !off && v['ui'] !== true && v['verbose'] !== true && v['log-file'] === undefined;
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
  if (v['stop']) {
    const stopped = await stopDaemon(projectDir, profilesDir);
    process.stderr.write(`dbt-temporal: ${stopped ? 'stopped the daemon' : 'no daemon runs'} for ${projectDir} (profiles ${profilesDir})\n`);
    return 0;
  }
  const daemon = usesDaemon(v, baseEnv);
  const idleMs = idleMsOf(v['idle-timeout'] as string | undefined, baseEnv);
  const input = runInputFromArgs(parsed);
  const threads = threadsOf(v['threads'] as string | undefined);
  const json = v['json'] === true;
  if (!ensureToolchain(baseEnv, true)) throw new CodedError('CONFIG_ERROR', 'the Python toolchain could not be set up (see above)');

  const env: Env = { ...baseEnv, DBT_PROJECT_DIR: projectDir, DBT_PROFILES_DIR: profilesDir };
  delete env['DBT_PROJECT_DIRS'];
  delete env['DBT_PROJECTS_DIR'];
  if (threads) env['WORKER_MAX_CONCURRENT_ACTIVITIES'] = threads;
  const note = (text: string): void => void process.stderr.write(`dbt-temporal: ${text}\n`);
  note(`project ${projectDir} (profiles ${profilesDir})`);
  const where = { projectDir, profilesDir, env, cwd, note };
  const starting = daemon
    ? daemonBackend({ ...where, idleMs })
    : inlineBackend({ ...where, ui: v['ui'] === true, verbose: v['verbose'] === true, logFile: v['log-file'] as string | undefined });
  // The Temporal client (a few hundred ms of imports) loads while the backend starts, not before.
  const [server, { startRunAndWait }] = await Promise.all([starting, import('./start-run.js')]);
  const { taskQueue } = server;
  let code = 1;
  try {
    const mode = json ? 'quiet' : displayMode({ quiet: v['quiet'] === true, isTty: process.stdout.isTTY === true, ci: Boolean(baseEnv['CI']) });
    let pageUrl: string | null = null;
    const outcome = await startRunAndWait({
      address: server.address, namespace: 'default', taskQueue, input,
      // `list` prints dbt ls's lines at the end, nothing while it runs.
      ...(json || input.command === 'list' ? {} : { display: createDisplay(mode, { write: (t) => process.stdout.write(t), columns: () => process.stdout.columns || 100 }) }),
      onStarted: ({ workflowId, runId }) => {
        server.runStarted?.(workflowId);
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
    // The backend named the worker log when it started (once: the kept file is that same path).
    await server.close(code === 0);
  }
  return code;
}
