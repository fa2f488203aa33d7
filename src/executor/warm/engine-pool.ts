// The warm engine manager: a bounded set of engine processes, each hosting at most one run
// context at a time, and the executor's one queue of warm work. A node goes to an engine that
// has its run's context open (with a free thread), else a free engine opens the context, else a
// new engine starts if the CPU count and the memory budget allow it; otherwise it waits. When
// runs outnumber engines they take turns (contextQuantumMs), the longest-waiting first; a turn
// costs a context open, never a parse (manifests are shared through the worker's manifest dir).
// One DuckDB database belongs to one engine at a time (all its nodes run there, as in `dbt
// build`). Plans (`dbt ls`) are whole invocations on an engine with no open context.
import { randomBytes } from 'node:crypto';
import type { EngineOutcome, HooksRequest, NodeRequest } from './protocol.js';
import { EngineTemplates } from './engine-templates.js';
import type { EngineSpawnOptions } from './engine-process.js';
import type { WarmEngineOptions } from './options.js';
import { compileWarmEngineOptions } from './options.js';
import { ENGINE_MANIFEST_SLOTS } from './context-spec.js';
import { nowMs, tracing } from '../trace.js';
import { pickFree, pickHolder, roomForEngine } from './placement.js';
import { roomFor } from './turns.js';
import { WarehouseLeases } from './warehouse-leases.js';
import type { EngineUse, Job, Slot } from './placement.js';

export type { EngineUse, Job } from './placement.js';
export { sameWarehouse } from './placement.js';

export class WarmEnginePool {
  private readonly opts: Required<WarmEngineOptions>;
  private readonly slots = new Set<Slot>();
  private readonly waiters: Job[] = [];
  /** Warehouses held outside the engines (a subprocess task on a DuckDB file), and who waits. */
  private readonly leases = new WarehouseLeases(() => this.pump());
  private closed = false;
  /** Forks engines from a template once a second engine is due (engine-templates.ts). */
  private readonly templates: EngineTemplates;
  private pumpTimer: NodeJS.Timeout | null = null;
  /** The worker's own RSS (MiB), read at most once per pump pass. */
  private passRssMb: number | null = null;
  /** Salts the env hashes engines write beside shared manifests. */
  private readonly salt = randomBytes(16).toString('hex');
  /** Largest engine seen (MiB): what the next one is assumed to take. */
  private engineMb: number;
  /**
   * Counters for tests, metrics and the benchmark: engines started, recycled, crashed; run
   * contexts opened, handed to another run, drained for a waiting run; manifests parsed, loaded
   * from a sibling's parse, found in the engine.
   */
  readonly counters = { spawned: 0, recycled: 0, crashed: 0, contexts: 0, switches: 0, drains: 0, parses: 0, loads: 0, hits: 0, parks: 0, resumes: 0 };
  /** The memory budget held back the last engine start that was due. */
  memoryLimited = false;

  /** `full`: every task slot of the executor is taken (turns.ts: then an idle context gets no grace). */
  constructor(options: WarmEngineOptions = {}, private readonly full: () => boolean = () => false) {
    this.opts = compileWarmEngineOptions(options);
    this.engineMb = this.opts.engineMemoryMb;
    this.templates = new EngineTemplates({ enabled: this.opts.forkEngines && this.opts.maxEngines >= 2, socketDir: this.opts.manifestDir });
  }

  /** Nodes and plans waiting for an engine. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Per live engine: its pid, resident memory and whether it has a run context open. */
  get engines(): { pid: number; rssMb: number; context: boolean }[] {
    return [...this.slots].flatMap((s) => (s.engine?.alive ? [{ pid: s.engine.pid, rssMb: s.engine.rssMb, context: s.context !== null }] : []));
  }

  /** Run contexts parked on live engines. */
  get parked(): number {
    return [...this.slots].reduce((n, s) => n + (s.engine?.alive ? s.parked.size : 0), 0);
  }

  get defaultContextThreads(): number {
    return this.opts.defaultContextThreads;
  }

  /** pids of live engine processes. */
  get pids(): number[] {
    return [...this.slots].flatMap((s) => (s.engine?.alive ? [s.engine.pid] : []));
  }

  /** Runs one node in its run context. */
  placeNode(job: Omit<Extract<Job, { kind: 'node' }>, 'kind' | 'resolve'>): Promise<{ outcome: EngineOutcome; use: EngineUse }> {
    return this.enqueue({ ...job, kind: 'node' } as Job);
  }

  /** Runs one whole invocation (`dbt ls`) on an engine with no open context. */
  invoke(job: Omit<Extract<Job, { kind: 'invoke' }>, 'kind' | 'resolve'>): Promise<{ outcome: EngineOutcome; use: EngineUse }> {
    return this.enqueue({ ...job, kind: 'invoke' } as Job);
  }

  private enqueue(job: Job): Promise<{ outcome: EngineOutcome; use: EngineUse }> {
    return new Promise((resolve) => {
      if (this.closed) return resolve({ outcome: { kind: 'crashed', detail: 'warm engine pool is closed', output: '' }, use: { acquiredAt: Date.now(), startMs: 0 } });
      this.waiters.push({ ...job, queuedAt: Date.now(), resolve } as Job);
      this.pump();
    });
  }

  /**
   * Runs `fn` while no engine holds `warehouse` (idle contexts holding it are closed first, and
   * none opens until `fn` ends): for dbt processes outside the engines on a DuckDB database.
   */
  lease<T>(warehouse: string, fn: () => Promise<T>): Promise<T> {
    return this.leases.run(warehouse, fn);
  }

  private pump(): void {
    if (this.closed) return;
    this.passRssMb = null;
    this.leases.grant(this.slots, (s) => void this.closeContext(s));
    // A run whose job found no room this pass finds none for its other jobs either (a pass only
    // takes room): one try and one hand-over per run and pass, not one per waiting node, which
    // with many runs waiting made each pass (one per node event) cost runs x nodes.
    const blocked = new Set<string>();
    for (let i = 0; i < this.waiters.length; ) {
      const job = this.waiters[i] as Job;
      const who = job.kind === 'node' ? job.request.context.key : `invoke:${job.manifestKey}`;
      if (!blocked.has(who) && this.place(job)) this.waiters.splice(i, 1);
      else {
        blocked.add(who);
        i += 1;
      }
    }
  }

  /** Starts `job` somewhere if it can run now, else makes room for it (closing an idle context). */
  private place(job: Job): boolean {
    if (job.kind === 'node' && job.warehouse && this.leases.holds(job.warehouse)) return false;
    const slots = [...this.slots];
    const canSpawn = this.canSpawn();
    const held = job.kind === 'node' ? pickHolder(slots, job, { ...this.opts, canSpawn }) : { slot: null, blockedBy: null };
    if (held.slot) return this.start(held.slot, job), true;
    if (!held.blockedBy) {
      const free = pickFree(slots, job.manifestKey, job.kind === 'node' ? job.request.context.key : null);
      if (free) return this.start(free, job), true;
      if (canSpawn) return this.start(this.spawn(job.spawn), job), true;
    }
    this.makeRoom(job, held.blockedBy);
    return false;
  }

  /**
   * Frees an engine for a waiting job: an idle context whose turn allows it closes (the one
   * holding the job's warehouse, if any); a run that has waited a whole quantum drains the
   * context open longest. An in-memory database is never closed for another run.
   */
  private makeRoom(job: Job, blockedBy: Slot | null): void {
    const action = roomFor(blockedBy ? [blockedBy] : [...this.slots], job, Date.now(), { quantumMs: this.opts.contextQuantumMs, graceMs: this.opts.contextGraceMs, full: this.full(), fullGraceMs: this.opts.fullGraceMs });
    if ('close' in action) {
      this.counters.switches += 1;
      void this.closeContext(action.close, true);
      return;
    }
    if (action.drain?.context) {
      action.drain.context.draining = true;
      this.counters.drains += 1;
    }
    if (action.retryInMs !== null) this.pumpAfter(action.retryInMs);
  }

  private pumpAfter(ms: number): void {
    if (this.pumpTimer || this.closed) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = null;
      this.pump();
    }, ms);
    this.pumpTimer.unref();
  }

  /**
   * Whether another engine may start: below maxEngines, and the worker's measured memory (its
   * own process plus every engine) leaves room for one more engine of the largest size seen.
   * The first engine always may (nothing could run otherwise).
   */
  private canSpawn(): boolean {
    if (this.slots.size === 0) return true;
    if (this.slots.size >= this.opts.maxEngines) return false;
    this.passRssMb ??= process.memoryUsage.rss() / 1048576;
    const fits = roomForEngine(this.slots, this.templates.rssMb + this.passRssMb, this.engineMb, this.opts.memoryLimitMb);
    this.memoryLimited = !fits;
    return fits;
  }

  private spawn(spawn: EngineSpawnOptions): Slot {
    this.counters.spawned += 1;
    const t0 = Date.now();
    const slot: Slot = { engine: null, ready: null as unknown as Promise<boolean>, startMs: 0, context: null, specSent: false, inflight: 0, invoking: false, closing: false, manifests: [], parked: new Map(), idleTimer: null };
    const env = { ...spawn.env, DBT_TEMPORAL_MANIFEST_SALT: this.salt, ...(this.opts.manifestDir ? { DBT_TEMPORAL_MANIFEST_DIR: this.opts.manifestDir } : {}) };
    const cmd = { ...spawn, env, startTimeoutMs: this.opts.startTimeoutMs };
    slot.ready = this.templates.launch(cmd, this.slots.size).then(
      ({ engine, ready }) => {
        slot.engine = engine;
        slot.warnings = ready.warnings ?? [];
        slot.startMs = Date.now() - t0;
        if (this.closed) engine.kill();
        return !this.closed;
      },
      (err: Error) => {
        slot.startError = err.message;
        return false;
      },
    );
    this.slots.add(slot);
    return slot;
  }

  /**
   * Starts one engine ahead of work (the worker's first run then skips dbt's import) and
   * resolves with its self-check's version warnings; rejects with why it could not start.
   */
  async prestart(spawn: EngineSpawnOptions): Promise<string[]> {
    if (this.closed || this.slots.size > 0) return [];
    const slot = this.spawn(spawn);
    if (!(await slot.ready)) throw new Error(slot.startError ?? 'the dbt engine did not start');
    if (slot.inflight === 0 && !slot.context && !slot.idleTimer) {
      slot.idleTimer = setTimeout(() => this.retire(slot), this.opts.idleTimeoutMs);
      slot.idleTimer.unref();
    }
    this.pump();
    return slot.warnings ?? [];
  }

  private start(slot: Slot, job: Job): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.inflight += 1;
    if (job.kind === 'invoke') slot.invoking = true;
    else if (!slot.context) {
      const now = Date.now();
      slot.context = {
        key: job.request.context.key, invocationId: job.request.context.invocation_id, released: false, failed: false,
        warehouse: job.warehouse, memory: job.warehouse?.startsWith('duckdb-memory:') ?? false,
        openedAt: now, idleSince: now, threads: this.opts.contextThreads || null, draining: false,
      };
      slot.specSent = false;
      if (slot.parked.delete(job.request.context.key)) this.counters.resumes += 1;
      else this.counters.contexts += 1;
    }
    void this.serve(slot, job);
  }

  private async serve(slot: Slot, job: Job): Promise<void> {
    const startMs = slot.engine ? 0 : null;
    const ok = await slot.ready;
    const use: EngineUse = { acquiredAt: Date.now(), startMs: startMs ?? slot.startMs };
    let outcome: EngineOutcome;
    if (!ok || !slot.engine) {
      outcome = { kind: 'crashed', detail: `cannot start a dbt engine: ${slot.startError ?? 'pool closed'}`, output: '' };
    } else if (job.kind === 'invoke') {
      outcome = await slot.engine.request({ op: 'invoke', ...job.request }, job.timeoutMs, job.signal);
    } else {
      const threads = this.opts.contextThreads;
      const spec = job.request.context;
      const context = slot.specSent ? { key: spec.key } : threads ? { ...spec, args: [...spec.args, '--threads', String(threads)] } : spec;
      slot.specSent = true;
      const req: Omit<NodeRequest, 'id'> | Omit<HooksRequest, 'id'> = { ...job.request, context };
      const m1 = tracing ? nowMs() : 0;
      outcome = await slot.engine.request(tracing && req.op === 'node' ? { ...req, trace: true } : req, job.timeoutMs, job.signal);
      if (tracing) use.trace = { m1, m2: outcome.kind === 'done' ? (outcome.done as { recvAt?: number }).recvAt ?? 0 : 0 };
      if (outcome.kind === 'done' && outcome.done.phase === 'context' && slot.context) slot.context.failed = true;
      const info = outcome.kind === 'done' ? outcome.done.context_info : undefined;
      if (info) {
        if (info.threads && slot.context && !this.opts.contextThreads) slot.context.threads = info.threads;
        this.countManifest(info.manifest);
      }
    }
    if (job.kind === 'invoke' && outcome.kind === 'done' && !job.startup) this.countManifest(outcome.done.manifest);
    if (slot.engine && slot.engine.rssMb > this.engineMb) this.engineMb = Math.ceil(slot.engine.rssMb);
    // The engine now holds this manifest (engine.py keeps the last ENGINE_MANIFEST_SLOTS).
    const parsed = outcome.kind === 'done' && (job.kind === 'invoke' ? outcome.done.ok : outcome.done.phase !== 'context');
    if (parsed) slot.manifests = [...slot.manifests.filter((k) => k !== job.manifestKey), job.manifestKey].slice(-ENGINE_MANIFEST_SLOTS);
    job.resolve({ outcome, use });
    this.release(slot, job, outcome);
  }

  private countManifest(how: 'hit' | 'loaded' | 'parsed' | undefined): void {
    if (how === 'parsed') this.counters.parses += 1;
    else if (how === 'loaded') this.counters.loads += 1;
    else if (how === 'hit') this.counters.hits += 1;
  }

  private release(slot: Slot, job: Job, outcome: EngineOutcome): void {
    slot.inflight -= 1;
    if (slot.context && slot.inflight === 0) slot.context.idleSince = Date.now();
    if (job.kind === 'invoke') slot.invoking = false;
    if (outcome.kind === 'crashed') this.counters.crashed += 1;
    const engine = slot.engine;
    const broken = !engine?.alive || (outcome.kind === 'done' && outcome.done.recycle === true) || outcome.kind === 'timed-out';
    if (broken) {
      engine?.kill();
      if (slot.inflight === 0) this.drop(slot);
    } else if (slot.inflight === 0) {
      if (slot.context?.failed) slot.context = null;
      if (slot.context?.released || slot.context?.draining) {
        void this.closeContext(slot, slot.context.draining && !slot.context.released);
        return this.pump();
      }
      if (slot.context) {
        // The run may have more nodes: keep its context open a little (a memory database: long).
        const idleMs = slot.context.memory ? this.opts.memoryContextIdleMs : this.opts.contextIdleMs;
        slot.idleTimer = setTimeout(() => void this.closeContext(slot), idleMs);
      } else if (this.worn(slot)) {
        this.retire(slot);
        return this.pump();
      } else {
        slot.idleTimer = setTimeout(() => this.retire(slot), this.opts.idleTimeoutMs);
      }
      slot.idleTimer.unref();
    }
    this.pump();
  }

  /** Closes the contexts of a finished run (busy ones when their last node is done), parked ones too. */
  async releaseRun(invocationId: string): Promise<void> {
    const mine = [...this.slots].filter((s) => s.context && s.context.invocationId === invocationId);
    for (const s of mine) if (s.context) s.context.released = true;
    const parked = [...this.slots].flatMap((s) => [...s.parked].filter(([, run]) => run === invocationId).map(([key]) => ({ s, key })));
    // A parked context ends once its engine has no context active (engine.py): not awaited, so
    // the run's end never waits for another run's turn.
    for (const { s, key } of parked) {
      s.parked.delete(key);
      void s.engine?.close(key);
    }
    await Promise.all(mine.filter((s) => s.inflight === 0).map((s) => this.closeContext(s)));
  }

  private worn(slot: Slot): boolean {
    const e = slot.engine;
    return !e || e.served >= this.opts.maxInvocations || e.rssMb > this.opts.maxRssMb;
  }

  /** Ends the slot's idle context; `turn`: it gives the engine to another run (then it may park). */
  private async closeContext(slot: Slot, turn = false): Promise<void> {
    if (!slot.context || slot.closing || slot.inflight > 0) return;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.closing = true;
    const ctx = slot.context;
    if (await slot.engine?.close(ctx.key, turn && this.mayPark(slot))) {
      slot.parked.set(ctx.key, ctx.invocationId);
      this.counters.parks += 1;
    }
    slot.context = null;
    slot.closing = false;
    if (!slot.engine?.alive || this.worn(slot)) this.retire(slot);
    else if (slot.inflight === 0) {
      slot.idleTimer = setTimeout(() => this.retire(slot), this.opts.idleTimeoutMs);
      slot.idleTimer.unref();
    }
    this.pump();
  }

  /**
   * Whether a context that gives its engine to another run may stay parked there for its run's
   * next turn instead of ending: not a memory database's (those never give their engine up),
   * below maxParkedContexts on the engine, and while the worker's measured memory (parked
   * contexts included) still fits one more engine within the budget: parking never takes the
   * room an engine needs.
   */
  private mayPark(slot: Slot): boolean {
    const c = slot.context;
    if (!c || c.released || c.failed || c.memory || slot.parked.size >= this.opts.maxParkedContexts) return false;
    return roomForEngine(this.slots, this.templates.rssMb + process.memoryUsage.rss() / 1048576, this.engineMb, this.opts.memoryLimitMb);
  }

  private retire(slot: Slot): void {
    if (slot.inflight > 0 || slot.context) return;
    if (slot.engine?.alive) this.counters.recycled += 1;
    this.drop(slot);
    void slot.engine?.stop();
  }

  private drop(slot: Slot): void {
    if (slot.engine?.alive && slot.engine.rssMb > this.engineMb) this.engineMb = Math.ceil(slot.engine.rssMb);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    this.slots.delete(slot);
    this.pump();
  }

  /** Stops every engine (busy ones are killed) and fails waiting requests; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve({ outcome: { kind: 'crashed', detail: 'warm engine pool is closed', output: '' }, use: { acquiredAt: Date.now(), startMs: 0 } });
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.templates.close();
    const all = [...this.slots];
    for (const s of all) if (s.idleTimer) clearTimeout(s.idleTimer);
    await Promise.all(all.map(async (s) => {
      await s.ready;
      if (s.inflight > 0) s.engine?.kill();
      await s.engine?.stop(1_000);
    }));
  }
}
