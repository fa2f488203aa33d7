// JSON with every object's keys sorted: equal values (vars, configs) give equal text, whatever
// order their keys came in. Workflow-safe (no Node builtins).

/** `JSON.stringify(value)` with object keys in sorted order at every depth. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
}
