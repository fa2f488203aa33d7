// JSON with every object's keys sorted: equal values (vars, configs) give equal text, whatever
// order their keys came in. Workflow-safe (no Node builtins). `sortedJsonOf` renders the same
// text without copying every object (reuse fingerprints: a plan's configs).

/** `JSON.stringify(value)` with object keys in sorted order at every depth. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
}

/**
 * `sortedJson(value)` without copying every object (a node's config is most of a plan's cost):
 * plain JSON data only; anything else is sortedJson's to render. `shapes` keeps the key order of
 * large objects for the next ones with the same keys (dbt writes every field of each config).
 */
export function sortedJsonOf(value: unknown, shapes: KeyShapes | null = null): string {
  return plainJson(value ?? null, shapes) ?? sortedJson(value);
}

/** An object's keys sorted, each with its JSON head (`"alias":`), by the key list it has. */
interface KeyShape {
  keys: readonly string[];
  sorted: readonly string[];
  heads: readonly string[];
}

export type KeyShapes = Map<string, KeyShape>;

/** A string as JSON.stringify quotes it (a loop: most are short keys without anything to escape). */
function quoted(s: string): string {
  for (let n = 0; n < s.length; n++) {
    const c = s.charCodeAt(n);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** JSON of plain data with sorted keys; undefined where sortedJson may render it otherwise. */
function plainJson(v: unknown, shapes: KeyShapes | null): string | undefined {
  switch (typeof v) {
    case 'string': return quoted(v);
    case 'number': return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean': return v ? 'true' : 'false';
    case 'object': break;
    default: return undefined;
  }
  if (v === null) return 'null';
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return undefined;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const items = v as unknown[];
    let out = '[';
    for (let n = 0; n < items.length; n++) {
      const text = items[n] === undefined ? 'null' : plainJson(items[n], shapes);
      if (text === undefined) return undefined;
      out += n === 0 ? text : `,${text}`;
    }
    return `${out}]`;
  }
  if (proto !== Object.prototype && proto !== null) return undefined;
  const shape = keyShape(Object.keys(v), shapes);
  if (!shape) return undefined;
  let out = '{';
  for (let n = 0; n < shape.sorted.length; n++) {
    const item = (v as Record<string, unknown>)[shape.sorted[n] as string];
    if (item === undefined) continue;
    const text = plainJson(item, shapes);
    if (text === undefined) return undefined;
    out += `${out.length === 1 ? '' : ','}${shape.heads[n] as string}${text}`;
  }
  return `${out}}`;
}

/** The shape of an object with these keys; null with an index-like key ("0", "12"): any object lists those first, whatever the sort. */
function keyShape(keys: string[], shapes: KeyShapes | null): KeyShape | null {
  const id = shapes && keys.length >= 8 ? `${keys.length}:${keys[0] as string}:${keys[keys.length - 1] as string}` : null;
  const known = id === null ? undefined : shapes?.get(id);
  if (known && known.keys.length === keys.length && known.keys.every((k, n) => k === keys[n])) return known;
  const sorted = id === null ? keys : [...keys];
  sortKeys(sorted);
  if (sorted.some((k) => k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57)) return null;
  const shape = { keys, sorted, heads: sorted.map((k) => `${quoted(k)}:`) };
  if (id !== null) shapes?.set(id, shape);
  return shape;
}

/** Sorts keys in place as `keys.sort()` does (code-unit order); a config's few keys without sort's work arrays. */
function sortKeys(keys: string[]): void {
  if (keys.length > 32) {
    keys.sort();
    return;
  }
  for (let n = 1; n < keys.length; n++) {
    const k = keys[n] as string;
    let m = n - 1;
    for (; m >= 0 && (keys[m] as string) > k; m--) keys[m + 1] = keys[m] as string;
    keys[m + 1] = k;
  }
}
