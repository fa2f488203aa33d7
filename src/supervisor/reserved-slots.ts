// Activity slots with a few kept for eager dispatch (WORKER_EAGER_RESERVED_SLOTS): a fixed number
// of slots, as the SDK's fixed tuner, but the task-queue pollers never take the last `reserved`
// free ones. Those go only to eager dispatch: the next nodes of the runs whose workflows this
// worker runs, handed over by the workflow task that scheduled them.
//
// Why: with every slot handed to the pollers as it frees up, K runs at once fill the worker with
// the other runs' queued nodes, and a run's next layer, dispatched eagerly a moment after its last
// node ended, finds no slot: it queues behind them in the task queue, and the engine has to switch
// runs at every layer (a park, a resume, the relation cache listed again). Everything the pollers
// take still comes in, oldest first, as before: no run starves.
import type { ActivitySlotInfo, CustomSlotSupplier, SlotPermit, SlotReleaseContext } from '@temporalio/worker';

export interface ReservedSlotsOptions {
  /** Slots in all (WORKER_MAX_CONCURRENT_ACTIVITIES). */
  slots: number;
  /** Free slots the pollers leave to eager dispatch; 1 to slots - 1. */
  reserved: number;
}

/** The slot supplier and what it holds (for metrics and tests). */
export class ReservedSlots implements CustomSlotSupplier<ActivitySlotInfo> {
  readonly type = 'custom';
  private used = 0;
  /** Slots a task runs in (reserved ones include pollers still waiting for a task). */
  private running = 0;
  private readonly waiters: ((permit: SlotPermit) => void)[] = [];

  constructor(private readonly o: ReservedSlotsOptions) {
    if (!Number.isInteger(o.slots) || o.slots < 2) throw new TypeError(`slots must be an integer >= 2, got ${o.slots}`);
    if (!Number.isInteger(o.reserved) || o.reserved < 1 || o.reserved >= o.slots) throw new TypeError(`reserved must be an integer from 1 to ${o.slots - 1}, got ${o.reserved}`);
  }

  /** Slots taken now (polling, running or eagerly dispatched). */
  get taken(): number {
    return this.used;
  }

  /** Slots an activity runs in now. */
  get inUse(): number {
    return this.running;
  }

  /** Pollers waiting for a slot. */
  get waitingPolls(): number {
    return this.waiters.length;
  }

  /** A poller's slot: while more than the reserved ones are free, first come first served. */
  reserveSlot(_ctx: unknown, abortSignal: AbortSignal): Promise<SlotPermit> {
    if (this.waiters.length === 0 && this.pollable()) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortSignal.reason);
      };
      const grant = (permit: SlotPermit): void => {
        abortSignal.removeEventListener('abort', onAbort);
        resolve(permit);
      };
      if (abortSignal.aborted) return onAbort();
      abortSignal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  /** An eager task's slot: any free one, the reserved ones included (never blocks). */
  tryReserveSlot(): SlotPermit | null {
    return this.used < this.o.slots ? this.take() : null;
  }

  markSlotUsed(): void {
    this.running += 1;
  }

  /** A slot comes back: after its task (`slotInfo` set), or unused (a poll that timed out). */
  releaseSlot(ctx: SlotReleaseContext<ActivitySlotInfo>): void {
    if (ctx.slotInfo) this.running = Math.max(0, this.running - 1);
    this.used = Math.max(0, this.used - 1);
    while (this.waiters.length > 0 && this.pollable()) (this.waiters.shift() as (p: SlotPermit) => void)(this.take());
  }

  private pollable(): boolean {
    return this.used < this.o.slots - this.o.reserved;
  }

  private take(): SlotPermit {
    this.used += 1;
    return {};
  }
}
