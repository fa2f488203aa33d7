// One warm engine: a long-lived Python process running engine.py, one request at a time.
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { EngineDone, EngineMessage, EngineOutcome, EngineReady, EngineRequest } from './protocol.js';

/** Most console output kept per request (the tail is what error classification reads). */
const OUTPUT_LIMIT = 256 * 1024;

export interface EngineSpawnOptions {
  python: string;
  script: string;
  env: Record<string, string>;
  cwd: string;
  startTimeoutMs: number;
}

function spawnEngine(opts: EngineSpawnOptions) {
  // Own process group, so a kill reaches whatever the engine forked (multiprocessing helpers).
  return execa(opts.python, ['-u', opts.script], {
    cwd: opts.cwd, env: opts.env, extendEnv: false, detached: true, reject: false,
    stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false,
  });
}

type EngineChild = ReturnType<typeof spawnEngine>;

export class EngineProcess {
  readonly pid: number;
  invocations = 0;
  rssMb = 0;
  private output = '';
  private waiter: ((msg: EngineMessage | null) => void) | null = null;
  private exitDetail: string | null = null;

  private constructor(private readonly child: EngineChild) {
    this.pid = child.pid ?? -1;
    // A write to an engine that just died must not crash the worker; the exit is handled below.
    child.stdin?.on('error', () => undefined);
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT / 2);
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const w = this.waiter;
      this.waiter = null;
      w?.(JSON.parse(line) as EngineMessage);
    });
    void child.then((r) => {
      this.exitDetail = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode ?? '?'}`;
      const w = this.waiter;
      this.waiter = null;
      w?.(null);
    });
  }

  /** Spawns an engine and waits until it has imported dbt. */
  static async start(opts: EngineSpawnOptions): Promise<{ engine: EngineProcess; ready: EngineReady }> {
    const engine = new EngineProcess(spawnEngine(opts));
    const msg = await engine.next(opts.startTimeoutMs);
    if (msg === null || typeof msg === 'string' || msg.type !== 'ready') {
      engine.kill();
      throw new Error(`dbt engine did not start (${engine.exitDetail ?? 'no ready message'}): ${engine.output.slice(-2000)}`);
    }
    engine.rssMb = msg.rss_mb;
    return { engine, ready: msg };
  }

  get alive(): boolean {
    return this.exitDetail === null;
  }

  private next(timeoutMs: number, signal?: AbortSignal): Promise<EngineMessage | null | 'timeout' | 'cancelled'> {
    if (!this.alive) return Promise.resolve(null);
    return new Promise((resolve) => {
      const finish = (v: EngineMessage | null | 'timeout' | 'cancelled'): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
        resolve(v);
      };
      const onAbort = (): void => finish('cancelled');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = finish;
      if (signal?.aborted) finish('cancelled');
    });
  }

  /** Sends one request; a timeout or cancellation kills the engine (its state is unknown). */
  async request(req: EngineRequest, timeoutMs: number, signal: AbortSignal): Promise<EngineOutcome> {
    this.output = '';
    this.invocations += 1;
    this.child.stdin?.write(`${JSON.stringify(req)}\n`);
    const msg = await this.next(timeoutMs, signal);
    const output = this.output;
    if (msg === 'timeout' || msg === 'cancelled') {
      this.kill();
      return { kind: msg === 'timeout' ? 'timed-out' : 'cancelled', output };
    }
    if (msg === null) return { kind: 'crashed', detail: this.exitDetail ?? 'exited', output };
    if (msg.type !== 'done' || msg.id !== req.id) {
      this.kill();
      return { kind: 'crashed', detail: `protocol error: unexpected ${JSON.stringify(msg).slice(0, 200)}`, output };
    }
    const done: EngineDone = msg;
    if (done.rss_mb !== undefined) this.rssMb = done.rss_mb;
    return { kind: 'done', done, output };
  }

  /** Kills the engine's whole process group at once; idempotent. */
  kill(): void {
    if (this.pid > 0) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.exitDetail ??= 'killed by the manager';
  }

  /** Asks the engine to exit (stdin EOF), then kills it if it lingers. */
  async stop(graceMs = 2_000): Promise<void> {
    if (!this.alive) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.child.catch(() => undefined);
    clearTimeout(timer);
    this.kill();
  }
}
