// A node's build inputs as digests: its compiled SQL (normalized), config, macros, the vars and
// env vars it names, its relation, its sources' data versions and its parents' versions. The
// fingerprint is null when any input is unknown (such a node is always rebuilt).
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../shared/contracts.js';
import { sortedJson } from '../../shared/sorted-json.js';
import { normalizeSql } from './normalize-sql.js';

/** The manifest.json fields reuse reads of a node, a source or a macro. */
export interface ManifestEntry {
  unique_id: string;
  resource_type: string;
  raw_code?: string;
  config?: Record<string, JsonValue>;
  checksum?: { checksum?: string };
  depends_on?: { nodes?: string[]; macros?: string[] };
  relation_name?: string | null;
  database?: string | null;
  schema?: string;
  alias?: string;
  identifier?: string;
  name?: string;
  loaded_at_field?: string | null;
  macro_sql?: string;
  language?: string;
  package_name?: string;
  test_metadata?: JsonValue;
}

export interface FingerprintInputs {
  node: ManifestEntry;
  /**
   * Its compiled code; null: unavailable (the node is always rebuilt); undefined: not compiled
   * (yet): the `sql` part is left out, for `sqlPart` to add from the compiled code the node's
   * own build reports.
   */
  compiled: string | null | undefined;
  macros: ReadonlyMap<string, ManifestEntry>;
  vars: Record<string, JsonValue>;
  env: Record<string, string>;
  /** The run's target and warehouse, the dbt version. */
  where: string;
  /** Parent unique id -> its version (the invocation that last built it); null: unknown. */
  parents: ReadonlyMap<string, string | null>;
  /** Source unique id -> its data version; null: unknown. */
  sources: ReadonlyMap<string, string | null>;
}

export interface Fingerprint {
  /** Null when an input is unknown, or the `sql` part is left out (see `compiled`). */
  fp: string | null;
  parts: Record<string, string>;
  /** The node's macro closure (unique ids). */
  macroIds: string[];
  /** Why the fingerprint is unknown (the first unknown input), when it is. */
  unknown: string | null;
}

export const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Digest per macro, once per plan's macro map (every node of a plan shares most of its macros). */
const macroDigests = new WeakMap<ReadonlyMap<string, ManifestEntry>, Map<string, string>>();

function macroDigest(id: string, macros: ReadonlyMap<string, ManifestEntry>): string {
  let known = macroDigests.get(macros);
  if (!known) macroDigests.set(macros, (known = new Map()));
  let d = known.get(id);
  if (d === undefined) known.set(id, (d = digest(macros.get(id)?.macro_sql ?? '')));
  return d;
}

/** Names passed to var('..') / env_var('..') in the node's code and config (its hooks). */
function namesCalled(fn: string, text: string): string[] {
  const re = new RegExp(`\\b${fn}\\(\\s*['"]([^'"]+)['"]`, 'g');
  return [...new Set([...text.matchAll(re)].map((m) => m[1] as string))].sort();
}

/** The macros the node calls, with the macros they call (by unique id). */
function macroClosure(start: readonly string[], macros: ReadonlyMap<string, ManifestEntry>): string[] {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(macros.get(id)?.depends_on?.macros ?? []));
  }
  return [...seen].sort();
}

export function fingerprint(i: FingerprintInputs): Fingerprint {
  const { node } = i;
  const config = sortedJson(node.config ?? {});
  const text = `${node.raw_code ?? ''}\n${config}`;
  const varNames = namesCalled('var', text);
  const envNames = namesCalled('env_var', text);
  const macroIds = macroClosure(node.depends_on?.macros ?? [], i.macros);
  const pending = node.resource_type !== 'seed' && i.compiled === undefined;
  const parts: Record<string, string> = {
    ...(pending ? {} : { sql: node.resource_type === 'seed' ? digest(`seed:${node.checksum?.checksum ?? ''}`) : sqlPart(i.compiled ?? '') }),
    config: digest(config),
    macros: digest(macroIds.map((id) => `${id}:${macroDigest(id, i.macros)}`).join('\n')),
    vars_env: digest(sortedJson({ vars: Object.fromEntries(varNames.map((n) => [n, i.vars[n] ?? null])), env: Object.fromEntries(envNames.map((n) => [n, i.env[n] ?? null])) })),
    target: digest(`${i.where}\n${node.relation_name ?? ''}`),
  };
  let unknown: string | null = node.resource_type !== 'seed' && i.compiled === null ? 'compiled code unavailable' : null;
  for (const [id, v] of [...i.sources].sort(([a], [b]) => a.localeCompare(b))) {
    if (v === null) unknown ??= `data version of ${id} unknown`;
    parts[`source:${id}`] = digest(v ?? 'unknown');
  }
  for (const [id, v] of [...i.parents].sort(([a], [b]) => a.localeCompare(b))) {
    if (v === null) unknown ??= `parent ${id} has no recorded build`;
    parts[`parent:${id}`] = v ?? 'unknown';
  }
  const fp = unknown === null && !pending ? fpOf(parts) : null;
  return { fp, parts, macroIds, unknown };
}

/** The `sql` part of a fingerprint: the compiled code, normalized. */
export function sqlPart(compiled: string): string {
  return digest(normalizeSql(compiled));
}

/** The fingerprint of complete parts. */
export function fpOf(parts: Record<string, string>): string {
  return digest(sortedJson(parts));
}

/** Which inputs differ between a stored and a current fingerprint, in words ("sql, parent:model.p.a"). */
export function changedParts(before: Record<string, string>, now: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  return keys.filter((k) => before[k] !== now[k]);
}
