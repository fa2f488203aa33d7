// Warehouses held outside the engines: a dbt process of its own (subprocess mode, a dbt command
// beside the engines) on a DuckDB database that an engine's context could otherwise hold.
import { sameWarehouse } from './placement.js';
import type { Slot } from './placement.js';

export class WarehouseLeases {
  private readonly held = new Map<string, number>();
  private readonly waiting: { key: string; grant: () => void }[] = [];

  /** `pump`: the pool looks again (a lease was asked for, or ended). */
  constructor(private readonly pump: () => void) {}

  /** Runs `fn` once the pool grants `warehouse` (see grant), and gives it back after. */
  async run<T>(warehouse: string, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.waiting.push({ key: warehouse, grant });
      this.pump();
    });
    try {
      return await fn();
    } finally {
      const n = (this.held.get(warehouse) ?? 1) - 1;
      if (n > 0) this.held.set(warehouse, n);
      else this.held.delete(warehouse);
      this.pump();
    }
  }

  /** Whether a lease holds `warehouse` (no context may open on it meanwhile). */
  holds(warehouse: string): boolean {
    return [...this.held.keys()].some((k) => sameWarehouse(k, warehouse));
  }

  /**
   * Grants each waiting lease whose warehouse no open context holds; for the others, `closeIdle`
   * is asked to close the idle contexts holding it (busy ones close after their last node).
   */
  grant(slots: Iterable<Slot>, closeIdle: (s: Slot) => void): void {
    const all = [...slots];
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i] as { key: string; grant: () => void };
      const holders = all.filter((s) => s.context?.warehouse && sameWarehouse(s.context.warehouse, w.key));
      if (holders.length === 0) {
        this.held.set(w.key, (this.held.get(w.key) ?? 0) + 1);
        this.waiting.splice(i, 1);
        w.grant();
      } else {
        for (const h of holders) if (h.inflight === 0 && !h.closing) closeIdle(h);
        i += 1;
      }
    }
  }
}
