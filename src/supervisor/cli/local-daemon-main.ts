// The warm `local` daemon process (spawned detached by `dbt-temporal local`, argv: project dir,
// profiles dir, idle ms): an embedded Temporal dev server and a worker for the project, kept
// until no run has held a lease for the idle timeout, or until `local --stop`. It publishes
// its state file once its control socket listens, and removes it when it stops.
import { rmSync, watch } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { freePort, startDevServer, temporalExecutable } from '../dev-server.js';
import { createLogger } from '../logger.js';
import { readLine } from './local-daemon-protocol.js';
import type { DaemonReply, DaemonRequest } from './local-daemon-protocol.js';
import { isAlive } from '../scratch-sweep.js';
import { clearDaemonState, daemonPaths, removeCleanLog, writeDaemonState } from './local-daemon-state.js';
import { DaemonWorker } from './local-daemon-worker.js';
import { workerFingerprint } from './local-daemon-fingerprint.js';

const [projectDir = '', profilesDir = '', idleArg = '300000', fingerprint = ''] = process.argv.slice(2);
const paths = daemonPaths(projectDir, profilesDir);
const log = createLogger('info', undefined, paths.log);

let idleMs = Number(idleArg);
let idleTimer: NodeJS.Timeout | undefined;
let pending = 0;
let stopping: Promise<never> | null = null;

// The worker the spawning `local` asks for starts right away, while the dev server starts (the
// engine's dbt import and the parse are the long part): its lease then finds it started or
// starting. The Temporal SDK (its runtime, installed before the worker connects) loads meanwhile.
const address = `127.0.0.1:${await freePort()}`;
const starting = startDevServer({ executable: temporalExecutable(process.env), port: Number(address.split(':')[1]) });
const runtimeInstalled = Promise.all([import('@temporalio/worker'), import('../temporal-logger.js')]).then(([{ Runtime }, { temporalLogger }]) => {
  Runtime.install({ logger: temporalLogger(log), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
});
const worker = new DaemonWorker(address, Promise.all([starting, runtimeInstalled]), log);
const env = Object.fromEntries(Object.entries(process.env).filter((kv): kv is [string, string] => kv[1] !== undefined));
pending += 1;
void worker.lease({ fingerprint, env, cwd: process.cwd() }).then(() => worker.release(), () => undefined).finally(() => {
  pending -= 1;
  if (!stopping) armIdle();
});
const server = await starting;
const control = createServer((conn) => readLine(conn, (req) => void handle(conn, req as DaemonRequest | null), () => undefined));

function stop(reason: string): Promise<never> {
  stopping ??= (async () => {
    log.info({ reason }, 'daemon stopping');
    clearTimeout(idleTimer);
    // Closing the listener unlinks the socket; then the state file goes: a new `local` starts afresh.
    control.close();
    clearDaemonState(paths);
    await worker.close().catch((err: unknown) => log.error({ err: (err as Error).message }, 'worker shutdown failed'));
    await server.close();
    log.info('daemon stopped');
    removeCleanLog(paths);
    // The Temporal runtime's native threads would keep the process alive.
    process.exit(0);
  })();
  return stopping;
}

/** A file of the project or profile changed (or a run ended): re-parse now if the fingerprint moved. */
let settle: NodeJS.Timeout | undefined;
function changed(): void {
  clearTimeout(settle);
  settle = setTimeout(() => {
    if (!stopping) worker.refresh((req) => workerFingerprint({ projectDir, profilesDir, ...req }));
  }, 500);
}
for (const [dir, recursive] of [[projectDir, true], [profilesDir, false]] as const) {
  try {
    watch(dir, { recursive }, changed).on('error', () => undefined);
  } catch {
    // Not watchable here: the next run's lease notices the change instead.
  }
}

function armIdle(): void {
  clearTimeout(idleTimer);
  if (worker.active > 0 || pending > 0) return;
  idleTimer = setTimeout(() => {
    if (worker.active === 0 && pending === 0) void stop(`idle for ${idleMs} ms`);
  }, idleMs);
}

const send = (conn: Socket, reply: DaemonReply): boolean => conn.write(`${JSON.stringify(reply)}\n`);

async function handle(conn: Socket, req: DaemonRequest | null): Promise<void> {
  const ok = { ok: true as const, pid: process.pid, address: server.address, taskQueue: null };
  if (req?.op === 'ping') {
    send(conn, ok);
    conn.end();
  } else if (req?.op === 'stop') {
    send(conn, ok);
    conn.end();
    await stop('--stop');
  } else if (req?.op === 'lease') {
    if (stopping || !isAlive(server.pid)) {
      send(conn, { ok: false, code: 'LOCAL_DAEMON_STOPPING', message: 'the daemon is stopping' });
      conn.end();
      if (!stopping) await stop('the dev server exited');
      return;
    }
    idleMs = req.idleMs;
    pending += 1;
    clearTimeout(idleTimer);
    try {
      const { taskQueue } = await worker.lease(req);
      const release = (): void => {
        worker.release();
        armIdle();
        changed();
      };
      // A client gone while its worker started holds nothing.
      if (conn.destroyed) release();
      else conn.once('close', release);
      send(conn, { ...ok, taskQueue });
    } catch (err) {
      const e = err as Error & { code?: string };
      log.error({ err: e.message }, 'worker start failed');
      send(conn, { ok: false, code: e.code ?? 'LOCAL_DAEMON_ERROR', message: e.message });
      conn.end();
    } finally {
      pending -= 1;
      armIdle();
    }
  } else {
    conn.end();
  }
}

process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
rmSync(paths.socket, { force: true });
control.listen(paths.socket, () => {
  writeDaemonState(paths, { pid: process.pid, serverPid: server.pid, address: server.address, projectDir, profilesDir, startedAt: new Date().toISOString() });
  log.info({ address: server.address, serverPid: server.pid }, 'daemon ready');
  armIdle();
});
