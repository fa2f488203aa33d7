// The warm engine manager: a bounded set of engine processes, handed out one request at a
// time, preferring an engine that already holds the wanted manifest; engines are replaced
// after a failure that may leave state behind, after N invocations or above an RSS ceiling.
import { EngineProcess } from './engine-process.js';
import type { EngineSpawnOptions } from './engine-process.js';
import type { WarmEngineOptions } from './options.js';
import { compileWarmEngineOptions } from './options.js';
import type { EngineOutcome } from './protocol.js';

/** Manifests an engine keeps (engine.py evicts least recently used beyond this). */
export const ENGINE_MANIFEST_SLOTS = 4;

interface Slot {
  engine: EngineProcess;
  /** How long the engine took to start; reported once, to the request it was started for. */
  startMs: number | null;
  /** Manifest keys the engine holds, most recently used last. */
  keys: string[];
  idleTimer: NodeJS.Timeout | null;
}

interface Waiter {
  key: string;
  spawn: EngineSpawnOptions;
  resolve: (slot: Slot) => void;
  reject: (err: Error) => void;
}

/** What the executor learns about how a request was served (for the overhead breakdown). */
export interface EngineUse {
  /** When the engine was handed over (epoch ms). */
  acquiredAt: number;
  /** Time spent starting a new engine for this request (0 when an engine was reused). */
  startMs: number;
}

export class WarmEnginePool {
  private readonly opts: Required<WarmEngineOptions>;
  private readonly idle: Slot[] = [];
  private readonly busy = new Set<Slot>();
  private readonly waiters: Waiter[] = [];
  private starting = 0;
  private closed = false;
  /** Counters for tests, metrics and the benchmark. */
  readonly counters = { spawned: 0, recycled: 0, crashed: 0 };

  constructor(options: WarmEngineOptions = {}) {
    this.opts = compileWarmEngineOptions(options);
  }

  /** pids of live engine processes. */
  get pids(): number[] {
    return [...this.idle, ...this.busy].map((s) => s.engine.pid);
  }

  private get live(): number {
    return this.idle.length + this.busy.size + this.starting;
  }

  /** Runs `fn` on an engine holding (or about to parse) manifest `key`, then releases it. */
  async use(key: string, spawn: EngineSpawnOptions, fn: (engine: EngineProcess, use: EngineUse) => Promise<EngineOutcome>): Promise<EngineOutcome> {
    const slot = await new Promise<Slot>((resolve, reject) => {
      if (this.closed) reject(new Error('warm engine pool is closed'));
      else {
        this.waiters.push({ key, spawn, resolve, reject });
        this.pump();
      }
    });
    const use: EngineUse = { acquiredAt: Date.now(), startMs: slot.startMs ?? 0 };
    slot.startMs = null;
    let outcome: EngineOutcome | null = null;
    try {
      outcome = await fn(slot.engine, use);
      return outcome;
    } finally {
      this.release(slot, key, outcome);
    }
  }

  private take(slot: Slot): Slot {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    this.busy.add(slot);
    return slot;
  }

  private pump(): void {
    while (this.waiters.length > 0 && !this.closed) {
      const w = this.waiters[0] as Waiter;
      const i = this.idle.findIndex((s) => s.keys.includes(w.key));
      if (i >= 0 || (this.idle.length > 0 && this.live >= this.opts.maxEngines)) {
        // An idle engine with this manifest, else (at the cap) any idle one: it will parse.
        const [slot] = this.idle.splice(i >= 0 ? i : 0, 1);
        this.waiters.shift();
        w.resolve(this.take(slot as Slot));
      } else if (this.live < this.opts.maxEngines) {
        this.waiters.shift();
        this.spawn(w);
      } else {
        return;
      }
    }
  }

  private spawn(w: Waiter): void {
    this.starting += 1;
    this.counters.spawned += 1;
    const t0 = Date.now();
    EngineProcess.start({ ...w.spawn, startTimeoutMs: this.opts.startTimeoutMs }).then(
      ({ engine }) => {
        this.starting -= 1;
        const slot: Slot = { engine, startMs: Date.now() - t0, keys: [], idleTimer: null };
        if (this.closed) {
          engine.kill();
          w.reject(new Error('warm engine pool is closed'));
        } else w.resolve(this.take(slot));
      },
      (err: Error) => {
        this.starting -= 1;
        w.reject(err);
        this.pump();
      },
    );
  }

  private release(slot: Slot, key: string, outcome: EngineOutcome | null): void {
    this.busy.delete(slot);
    const { engine } = slot;
    if (outcome?.kind === 'crashed') this.counters.crashed += 1;
    const recycle =
      !engine.alive ||
      outcome === null ||
      outcome.kind !== 'done' ||
      outcome.done.recycle ||
      engine.invocations >= this.opts.maxInvocations ||
      engine.rssMb > this.opts.maxRssMb;
    if (recycle || this.closed) {
      if (engine.alive) this.counters.recycled += 1;
      void engine.stop();
    } else {
      if (outcome.done.ok || outcome.done.phase !== 'parse') slot.keys = [...slot.keys.filter((k) => k !== key), key].slice(-ENGINE_MANIFEST_SLOTS);
      slot.idleTimer = setTimeout(() => this.retire(slot), this.opts.idleTimeoutMs);
      slot.idleTimer.unref();
      this.idle.push(slot);
    }
    this.pump();
  }

  private retire(slot: Slot): void {
    const i = this.idle.indexOf(slot);
    if (i < 0) return;
    this.idle.splice(i, 1);
    void slot.engine.stop();
    this.pump();
  }

  /** Stops every engine (busy ones are killed) and fails waiting requests; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('warm engine pool is closed'));
    const all = [...this.idle.splice(0), ...this.busy];
    for (const s of all) if (s.idleTimer) clearTimeout(s.idleTimer);
    for (const s of this.busy) s.engine.kill();
    await Promise.all(all.map((s) => s.engine.stop(1_000)));
  }
}
