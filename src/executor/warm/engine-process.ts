// One warm engine: a long-lived Python process running engine.py (spawned, or forked from a
// template), many requests in flight (the nodes of its run context), each answered by id.
import { createInterface } from 'node:readline';
import { killGroup, spawnChannel } from './engine-channel.js';
import type { EngineChannel } from './engine-channel.js';
import { nowMs, tracing } from '../trace.js';
import type { EngineClosed, EngineDone, EngineMessage, EngineOutcome, EngineReady, EngineRequest } from './protocol.js';

/** Most console output kept (the tail explains a crash). */
const OUTPUT_LIMIT = 256 * 1024;
/** How long a cancelled or timed-out node may take to stop before its engine is killed. */
export const CANCEL_GRACE_MS = 10_000;

export interface EngineSpawnOptions {
  python: string;
  script: string;
  env: Record<string, string>;
  cwd: string;
  startTimeoutMs: number;
}

type Answer = EngineDone | EngineClosed | null;
type Unsent<R> = R extends EngineRequest ? Omit<R, 'id'> : never;

export class EngineProcess {
  readonly pid: number;
  rssMb = 0;
  /** Node and invoke requests answered (recycling counts these). */
  served = 0;
  private output = '';
  private nextId = 1;
  private readyWaiter: ((msg: EngineReady | null) => void) | null = null;
  private readonly waiters = new Map<number, (msg: Answer) => void>();
  private exitDetail: string | null = null;

  private constructor(private readonly child: EngineChannel) {
    this.pid = child.pid;
    child.output.on('error', () => undefined);
    child.lines.on('error', () => undefined);
    child.output.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT / 2);
    });
    const lines = createInterface({ input: child.lines });
    // A forked engine's sockets arrive paused (its hello was read off them first).
    child.lines.resume();
    child.output.resume();
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as EngineMessage;
      // Profiling: when the answer reached the worker.
      if (tracing) (msg as { recvAt?: number }).recvAt = nowMs();
      this.dispatch(msg);
    });
    void child.exited.then((detail) => {
      this.exitDetail ??= detail;
      this.readyWaiter?.(null);
      for (const w of [...this.waiters.values()]) w(null);
      this.waiters.clear();
    });
  }

  private dispatch(msg: EngineMessage): void {
    if (msg.rss_mb !== undefined) this.rssMb = msg.rss_mb;
    if (msg.type === 'ready') {
      this.readyWaiter?.(msg);
      return;
    }
    const w = this.waiters.get(msg.id);
    this.waiters.delete(msg.id);
    w?.(msg);
  }

  /** Spawns an engine and waits until it has imported dbt and checked its reach-ins. */
  static start(opts: EngineSpawnOptions): Promise<{ engine: EngineProcess; ready: EngineReady }> {
    return EngineProcess.over(spawnChannel(opts), opts.startTimeoutMs);
  }

  /** An engine on `channel` (spawned or forked), once it reports ready. */
  static async over(channel: EngineChannel, startTimeoutMs: number): Promise<{ engine: EngineProcess; ready: EngineReady }> {
    const engine = new EngineProcess(channel);
    const msg = await new Promise<EngineReady | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), startTimeoutMs);
      engine.readyWaiter = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
    engine.readyWaiter = null;
    if (msg === null) {
      engine.kill();
      throw new Error(`dbt engine did not start (${engine.exitDetail ?? 'no ready message'}): ${engine.output.slice(-2000)}`);
    }
    return { engine, ready: msg };
  }

  get alive(): boolean {
    return this.exitDetail === null;
  }

  get outputTail(): string {
    return this.output.slice(-16_000);
  }

  private write(req: EngineRequest): void {
    this.child.write(`${JSON.stringify(req)}\n`);
  }

  /** Sends a request; resolves with its answer, or null when the engine exits first. */
  private ask(req: Unsent<EngineRequest>): { id: number; answer: Promise<Answer> } {
    const id = this.nextId++;
    const answer = new Promise<Answer>((resolve) => {
      if (!this.alive) resolve(null);
      else this.waiters.set(id, resolve);
    });
    this.write({ ...req, id } as EngineRequest);
    return { id, answer };
  }

  /**
   * Runs a node or invoke request. Cancellation and timeouts ask the engine to stop the node's
   * query and wait for it; an invoke (or a node that lingers) is stopped by killing the engine.
   */
  async request(req: Unsent<EngineRequest>, timeoutMs: number, signal: AbortSignal): Promise<EngineOutcome> {
    const { id, answer } = this.ask(req);
    let stopped: 'timed-out' | 'cancelled' | null = null;
    const stop = (why: 'timed-out' | 'cancelled'): void => {
      if (stopped) return;
      stopped = why;
      if (req.op !== 'node') return this.kill();
      this.write({ op: 'cancel', id });
      setTimeout(() => this.waiters.has(id) && this.kill(), CANCEL_GRACE_MS).unref();
    };
    const onAbort = (): void => stop('cancelled');
    const timer = setTimeout(() => stop('timed-out'), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      const msg = await answer;
      this.served += 1;
      const output = this.output;
      if (stopped) return { kind: stopped, output };
      if (msg === null) return { kind: 'crashed', detail: this.exitDetail ?? 'exited', output };
      if (msg.type !== 'done') return { kind: 'crashed', detail: `protocol error: unexpected ${msg.type}`, output };
      return { kind: 'done', done: msg, output };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Ends the engine's run context `key` once its nodes are done, or a parked one (resolves when
   * it is closed); `park`: keep it for the run's next turn instead. Resolves whether it parked.
   */
  async close(key: string, park = false): Promise<boolean> {
    const answer = await this.ask({ op: 'close', key, ...(park ? { park } : {}) }).answer;
    return answer?.type === 'closed' && answer.parked === true;
  }

  /** Kills the engine's whole process group at once; idempotent. */
  kill(): void {
    killGroup(this.pid);
    this.exitDetail ??= 'killed by the manager';
  }

  /** Asks the engine to exit (stdin EOF), then kills it if it lingers. */
  async stop(graceMs = 2_000): Promise<void> {
    if (!this.alive) return;
    this.child.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.child.exited;
    clearTimeout(timer);
    this.kill();
  }
}
