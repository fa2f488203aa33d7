// Strict readers for configuration documents (dbt_temporal.yml, the input's `hooks`): each
// names the key path and the rule, and an unknown key names the nearest valid one. Pure.

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** The valid key closest to `key` (the closest of all when none is near). */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(key.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as a mapping with only `valid` keys (null/undefined: empty). */
export function strictMapping(value: unknown, path: string, valid: readonly string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) throw new TypeError(`${path || 'the document'} must be a mapping, got ${JSON.stringify(value)}`);
  for (const key of Object.keys(value)) {
    if (valid.includes(key)) continue;
    const near = nearestKey(key, valid);
    throw new TypeError(`unknown key \`${join(path, key)}\`${near ? ` (did you mean \`${join(path, near)}\`?)` : ''}; valid keys: ${valid.join(', ')}`);
  }
  return value;
}

/** An integer >= min (Temporal takes whole attempts and whole seconds here). */
export function integerAt(sec: Record<string, unknown>, key: string, path: string, fallback: number, min: number): number {
  const value = sec[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`\`${join(path, key)}\` must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A finite number >= min. */
export function numberAt(sec: Record<string, unknown>, key: string, path: string, fallback: number, min: number): number {
  const value = sec[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`\`${join(path, key)}\` must be a number >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function booleanAt(sec: Record<string, unknown>, key: string, path: string, fallback: boolean): boolean {
  const value = sec[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`\`${join(path, key)}\` must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A non-empty string (required when `fallback` is undefined). */
export function stringAt(sec: Record<string, unknown>, key: string, path: string, fallback?: string): string {
  const value = sec[key];
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new TypeError(`\`${join(path, key)}\` is required`);
  }
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`\`${join(path, key)}\` must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** A list (null/undefined: empty). */
export function listAt(sec: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = sec[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TypeError(`\`${join(path, key)}\` must be a list, got ${JSON.stringify(value)}`);
  return value;
}
