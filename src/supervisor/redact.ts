// Replaces known secret values (API keys, tokens, passwords) with *** in text and data.

export const REDACTED = '***';

/**
 * Keys whose values are identifiers the run depends on (node ids, project and file names,
 * artifact refs). They come from the project, not from credentials, and rewriting them would
 * corrupt results (a short password such as `bench` would turn `bench_project` into `***_project`).
 */
export const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([
  'unique_id', 'depends_on', 'project', 'name', 'resource_type', 'command', 'invocation_id', 'target',
  'run_results_path', 'manifest_path', 'log_path', 'catalog_path', 'hook_workflow_type', 'event', 'status',
  // A plan's records file (an artifact ref), and its packed nodes, whose ids sit in arrays: the
  // plan redacts its nodes before it packs them (plan-project.ts fitPlan).
  'reuse_records', 'packed_nodes',
]);

export interface Redactor {
  /** Adds more secrets (e.g. passwords found in profiles after discovery). */
  add(values: Iterable<string>): void;
  /** Adds a run's secrets (its `env`); the oldest are forgotten beyond a bound, the worker's never. */
  addTransient(values: Iterable<string>): void;
  text(s: string): string;
  /** Deep copy of JSON-like data with every string redacted, except under IDENTIFIER_KEYS. */
  data<T>(value: T): T;
}

/** Run secrets remembered at once (each run adds its few; a long-lived worker sees many runs). */
const TRANSIENT_SECRETS_MAX = 1_000;

export function createRedactor(initial: Iterable<string> = [], minLength = 4): Redactor {
  const secrets = new Set<string>();
  const transient = new Map<string, true>();
  let pattern: RegExp | null = null;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rebuild = () => {
    // Longest first, so a secret that contains another is replaced whole.
    const sorted = [...new Set([...secrets, ...transient.keys()])].sort((a, b) => b.length - a.length);
    pattern = sorted.length ? new RegExp(sorted.map(escape).join('|'), 'g') : null;
  };
  const redactor: Redactor = {
    add(values) {
      for (const v of values) if (v.length >= minLength) secrets.add(v);
      rebuild();
    },
    addTransient(values) {
      let changed = false;
      for (const v of values) {
        if (v.length < minLength) continue;
        if (transient.delete(v)) {
          transient.set(v, true);
          continue;
        }
        transient.set(v, true);
        changed = true;
        if (transient.size > TRANSIENT_SECRETS_MAX) transient.delete(transient.keys().next().value as string);
      }
      if (changed) rebuild();
    },
    text: (s) => (pattern === null || s === '' ? s : s.replace(pattern, REDACTED)),
    data<T>(value: T): T {
      if (pattern === null) return value;
      const walk = (v: unknown): unknown => {
        if (typeof v === 'string') return redactor.text(v);
        if (Array.isArray(v)) return v.map(walk);
        if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
          return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, IDENTIFIER_KEYS.has(k) ? x : walk(x)]));
        }
        return v;
      };
      return walk(value) as T;
    },
  };
  redactor.add(initial);
  return redactor;
}
