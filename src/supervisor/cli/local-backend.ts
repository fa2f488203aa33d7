// Where a `local` run goes: the project's warm daemon (a lease on its dev server and worker),
// or, with --no-daemon (and --ui, --verbose, --log-file), a dev server and worker of this
// process, torn down after the run. Either way the run is a workflow on `taskQueue`.
// The Temporal client and the worker's modules load only where they are used: a first run
// spawns its daemon before this process spends a second importing them.
import { randomUUID } from 'node:crypto';
import { leaseDaemon } from './local-daemon-client.js';

type Env = Record<string, string | undefined>;


export interface LocalBackend {
  address: string;
  taskQueue: string;
  /** The dev server's Web UI, when it serves one. */
  uiUrl: string | null;
  /** Told the run's workflow id once it started (the daemon's run is cancelled on Ctrl-C). */
  runStarted?(workflowId: string): void;
  /** After the run: tears down (inline) or ends the lease (daemon); returns a log file to point at, if kept. */
  close(clean: boolean): Promise<string | null>;
}

export interface BackendOptions {
  projectDir: string;
  profilesDir: string;
  /** The worker's environment (DBT_PROJECT_DIR, DBT_PROFILES_DIR, WORKER_* from the flags). */
  env: Env;
  cwd: string;
  /** Prints a `dbt-temporal: ...` line on stderr. */
  note: (text: string) => void;
}

async function cancelRun(address: string, workflowId: string): Promise<void> {
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address });
  try {
    await new Client({ connection }).workflow.getHandle(workflowId).cancel();
  } finally {
    await connection.close();
  }
}

/** A lease on the project's warm daemon (started when none runs). */
export async function daemonBackend(opts: BackendOptions & { idleMs: number }): Promise<LocalBackend> {
  const lease = await leaseDaemon({ projectDir: opts.projectDir, profilesDir: opts.profilesDir, env: opts.env, cwd: opts.cwd, idleMs: opts.idleMs });
  opts.note(`worker log: ${lease.log}`);
  // The worker outlives this process: Ctrl-C cancels the run (as dbt stops on Ctrl-C) instead of
  // leaving it running in the background.
  let workflowId: string | null = null;
  const interrupted = (): void => {
    void (async () => {
      if (workflowId !== null) {
        opts.note(`interrupted: cancelling run ${workflowId}`);
        await cancelRun(lease.address, workflowId).catch(() => undefined);
      }
      lease.release();
      process.exit(130);
    })();
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    address: lease.address,
    taskQueue: lease.taskQueue,
    uiUrl: null,
    runStarted: (id) => void (workflowId = id),
    close: () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      lease.release();
      return Promise.resolve(null);
    },
  };
}

/** A dev server and a worker of this process, for one run (today's `local --no-daemon`). */
export async function inlineBackend(opts: BackendOptions & { ui: boolean; verbose: boolean; logFile: string | undefined }): Promise<LocalBackend> {
  // Loaded here: a run on the daemon never pays for the worker's modules.
  const [{ startWorkerRuntime }, { openLocalLogs }, { loadConfig }, { startDevServer, temporalExecutable }, { localParseSeeds }] = await Promise.all([
    import('../main.js'), import('./local-logs.js'), import('../config/config.js'), import('../dev-server.js'), import('../projects/parse-cache.js'),
  ]);
  const logs = openLocalLogs({ verbose: opts.verbose, file: opts.logFile, cwd: opts.cwd });
  const taskQueue = `dbt-temporal-local-${randomUUID().slice(0, 8)}`;
  const env: Env = { ...opts.env, TEMPORAL_TASK_QUEUE: taskQueue };
  opts.note(logs.path ? `worker log: ${logs.path}` : 'worker logs on stderr (--verbose)');
  // The log's path was named above: a kept log is that same file, not named twice.
  const keep = async (clean: boolean): Promise<void> => void (await logs.finish(clean));
  const server = await startDevServer({ executable: temporalExecutable(env), ui: opts.ui });
  try {
    env['TEMPORAL_ADDRESS'] = server.address;
    env['TEMPORAL_NAMESPACE'] = 'default';
    const config = loadConfig(env, opts.cwd);
    const runtime = await startWorkerRuntime(config, logs.log, { parseSeeds: localParseSeeds(env, config.dbt.executable) });
    const running = runtime.run();
    return {
      address: server.address,
      taskQueue,
      uiUrl: server.uiUrl,
      async close(clean) {
        try {
          try {
            await runtime.shutdown();
            await running;
          } finally {
            await server.close();
          }
        } catch (err) {
          await keep(false);
          throw err;
        }
        return logs.finish(clean);
      },
    };
  } catch (err) {
    await server.close();
    await keep(false);
    throw err;
  }
}
