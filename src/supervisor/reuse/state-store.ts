// Reuse state in the artifact store: one small JSON file per node, per project and target,
// `<store>/_reuse.<project>.<target>/<unique_id>.json`, written only after the node succeeded.
// A missing or unreadable file means "build". One file per node: concurrent runs never lose
// each other's updates.
import type { ArtifactStore } from '../artifacts/store.js';

export interface NodeState {
  /** null: built by a run that did not fingerprint it (reuse off): never matches. */
  fp: string | null;
  parts: Record<string, string>;
  /** The invocation that built it: its version, as its children record it. */
  invocation_id: string;
  built_at: string;
  /** Its code key (pure-code.ts) when it had one: the same key, the same compiled SQL. */
  code_key?: string;
  /** The digest of its code alone (normalized), with `code_key`. */
  code?: string;
}

/** The store's directory (one path segment) of a project's and target's state. */
export function stateDir(project: string, target: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '-');
  return `_reuse.${safe(project)}.${safe(target)}`;
}

const MARKER = 'state.json';
const fileOf = (uniqueId: string): string => `${uniqueId.replace(/[^A-Za-z0-9._-]/g, '-')}.json`;

export class ReuseStateStore {
  constructor(private readonly store: ArtifactStore, private readonly dir: string) {}

  private async read(name: string): Promise<string | null> {
    if (!this.store.refOf) return null;
    try {
      return await this.store.get(this.store.refOf(this.dir, name));
    } catch {
      return null;
    }
  }

  /** Whether a run ever recorded reuse state here (then runs without reuse invalidate what they rebuild). */
  async exists(): Promise<boolean> {
    return (await this.read(MARKER)) !== null;
  }

  async markUsed(): Promise<void> {
    await this.store.put(this.dir, MARKER, `${JSON.stringify({ version: 1 })}\n`);
  }

  /** The nodes' states (missing or unreadable ones are absent), 64 reads at a time (object stores: round trips). */
  async readAll(ids: readonly string[], parallel = 64): Promise<Map<string, NodeState>> {
    const out = new Map<string, NodeState>();
    for (let i = 0; i < ids.length; i += parallel) {
      await Promise.all(ids.slice(i, i + parallel).map(async (id) => {
        const text = await this.read(fileOf(id));
        if (text === null) return;
        try {
          const s = JSON.parse(text) as NodeState;
          if (typeof s.invocation_id === 'string' && s.parts && typeof s.parts === 'object') out.set(id, s);
        } catch {
          // unreadable: build
        }
      }));
    }
    return out;
  }

  /** readAll of `ids`, taking the states `prefetched` already holds (read from this store's directory) where it has them. */
  async readAllFrom(prefetched: { ids: ReadonlySet<string>; states: Promise<Map<string, NodeState>> }, ids: readonly string[]): Promise<Map<string, NodeState>> {
    const rest = ids.filter((id) => !prefetched.ids.has(id));
    const [early, late] = await Promise.all([prefetched.states, rest.length > 0 ? this.readAll(rest) : new Map<string, NodeState>()]);
    const out = new Map<string, NodeState>();
    for (const id of ids) {
      const s = early.get(id) ?? late.get(id);
      if (s) out.set(id, s);
    }
    return out;
  }

  async write(uniqueId: string, state: NodeState): Promise<void> {
    await this.store.put(this.dir, fileOf(uniqueId), `${JSON.stringify(state)}\n`);
  }
}
