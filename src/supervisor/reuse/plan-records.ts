// The reuse state each built node records (docs/reuse.md), kept out of the plan's result and the
// nodes' activity inputs, which Temporal caps at 2 MB and keeps in every run's history: the plan
// writes all of them once, `<store>/<invocation id>/reuse-records.json`, and a node's activity
// reads its own from there. Each worker reads a run's file once; the planning worker never does.
import type { PlanNode } from '../../shared/plan.js';
import { pendingStateOf } from '../../shared/reuse.js';
import type { PendingState } from '../../shared/reuse.js';
import type { ArtifactStore } from '../artifacts/store.js';

export type PlanRecordsFile = Record<string, PendingState>;

export const RECORDS_FILE = 'reuse-records.json';

/**
 * The plan's nodes without the state their builds record (each built node keeps its reason and
 * `recorded`), and that state by unique id, for the records file.
 */
export function detachRecords(nodes: readonly PlanNode[], target: string): { nodes: PlanNode[]; records: PlanRecordsFile } {
  const records: PlanRecordsFile = {};
  const out = nodes.map((n) => {
    const state = pendingStateOf(n.reuse, target);
    if (!state || !n.reuse) return n;
    records[n.unique_id] = state;
    return { ...n, reuse: { action: 'build' as const, reason: n.reuse.reason, recorded: true } };
  });
  return { nodes: out, records };
}

export interface PlanRecordsOptions {
  /** Runs whose records a worker keeps in memory. @default 16 */
  maxRuns?: number;
  /** Their total size as JSON text. @default 16 MiB */
  maxBytes?: number;
}

interface Cached {
  records: Promise<PlanRecordsFile>;
  bytes: number;
}

export class PlanRecords {
  private readonly cache = new Map<string, Cached>();
  private readonly maxRuns: number;
  private readonly maxBytes: number;

  constructor(private readonly store: ArtifactStore, options: PlanRecordsOptions = {}) {
    this.maxRuns = options.maxRuns ?? 16;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  }

  /** Writes a plan's records; returns the reference its nodes' inputs carry. */
  async write(invocationId: string, records: PlanRecordsFile): Promise<string> {
    const text = JSON.stringify(records);
    const ref = await this.store.put(invocationId, RECORDS_FILE, text);
    this.keep(ref, { records: Promise.resolve(records), bytes: text.length });
    return ref;
  }

  /** The node's record in the file `ref`, or null when it has none; rejects when the file cannot be read. */
  async of(ref: string, uniqueId: string): Promise<PendingState | null> {
    let hit = this.cache.get(ref);
    if (hit) {
      // Least recently used goes first.
      this.cache.delete(ref);
      this.cache.set(ref, hit);
    } else {
      hit = { records: this.read(ref), bytes: 0 };
      this.keep(ref, hit);
    }
    return (await hit.records)[uniqueId] ?? null;
  }

  private async read(ref: string): Promise<PlanRecordsFile> {
    try {
      const text = await this.store.get(ref);
      const entry = this.cache.get(ref);
      if (entry) entry.bytes = text.length;
      this.trim();
      return JSON.parse(text) as PlanRecordsFile;
    } catch (err) {
      // Not kept: the next node of the run tries again.
      this.cache.delete(ref);
      throw err;
    }
  }

  private keep(ref: string, entry: Cached): void {
    this.cache.delete(ref);
    this.cache.set(ref, entry);
    this.trim();
  }

  private trim(): void {
    let bytes = 0;
    for (const e of this.cache.values()) bytes += e.bytes;
    for (const [ref, e] of this.cache) {
      if (this.cache.size <= 1 || (this.cache.size <= this.maxRuns && bytes <= this.maxBytes)) break;
      this.cache.delete(ref);
      bytes -= e.bytes;
    }
  }
}
