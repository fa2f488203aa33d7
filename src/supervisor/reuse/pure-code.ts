// A node's "code key": what its compiled SQL is made of when dbt compiles it from what the plan
// already sees (its code, the macros it calls, config, vars, env, target and the relations it
// refs), so the plan can skip compiling it: the same key means the same compiled SQL as the
// build it was recorded with. Null where the compiled SQL may depend on anything else (the
// warehouse, the clock, the run, the project graph): such a node is compiled to be compared.
import { sortedJsonOf } from '../../shared/sorted-json.js';
import { digest } from './fingerprint.js';
import type { ManifestEntry } from './fingerprint.js';
import { normalizeSql } from './normalize-sql.js';

/**
 * Jinja that may make the compiled SQL differ for the same code: queries (introspection),
 * adapter calls other than dispatch and quoting, the run's clock and id, the graph and target
 * fields beyond the target's name (which the fingerprint holds). dbt's flags are the run's
 * command line: the key holds the command (a full refresh rebuilds anyway). Matched on the
 * node's code and on the source of every macro it calls, transitively.
 */
const IMPURE = new RegExp([
  String.raw`\brun_query\b`, String.raw`\bstatement\b`, String.raw`\bload_result\b`, String.raw`\bload_relation\b`,
  String.raw`\badapter\s*\.\s*(?!dispatch\b|quote\b)\w`, String.raw`\bget_columns_in_\w+`, String.raw`\bget_relations?\b`,
  String.raw`\brun_started_at\b`, String.raw`\binvocation_id\b`, String.raw`\bmodules\s*\.`, String.raw`\bgraph\b`,
  String.raw`\bselected_resources\b`, String.raw`\btarget\s*\.`, String.raw`\bcontext\b`,
].join('|'));

/** Code as the key compares it: Jinja comments, SQL comments and whitespace do not count. */
export function normalizeCode(raw: string): string {
  return normalizeSql(raw.replace(/\{#[\s\S]*?#\}/g, ' '));
}

export interface CodeKeyInputs {
  node: ManifestEntry;
  entries: ReadonlyMap<string, ManifestEntry>;
  macros: ReadonlyMap<string, ManifestEntry>;
  /** The node's macro closure (unique ids), as the fingerprint's `macros` part has it. */
  macroIds: readonly string[];
  /** The fingerprint's parts that shape compiled SQL: config, macros, vars_env, target. */
  parts: Readonly<Record<string, string>>;
  /** The run's dbt command (what dbt's flags say), e.g. `build`. */
  command: string;
}

/** Whether the project overrides `ref` or `source` (then relations do not say what they render). */
export function overridesRefs(macros: ReadonlyMap<string, ManifestEntry>): boolean {
  for (const m of macros.values()) if ((m.name === 'ref' || m.name === 'source') && m.package_name !== 'dbt') return true;
  return false;
}

/** A node's code key and the digest of its code alone (normalized), for the plan to compare. */
export interface CodeKey {
  /** Everything its compiled SQL is made of: equal keys, equal compiled SQL. */
  key: string;
  /** Its code alone: when this differs, its compiled SQL is taken as changed without compiling. */
  code: string;
}

/** Whether a macro's source is impure, once per plan's macro map (a plan's nodes share most macros). */
const impureMacros = new WeakMap<ReadonlyMap<string, ManifestEntry>, Map<string, boolean>>();

function impureMacro(id: string, macros: ReadonlyMap<string, ManifestEntry>): boolean {
  let known = impureMacros.get(macros);
  if (!known) impureMacros.set(macros, (known = new Map()));
  let impure = known.get(id);
  if (impure === undefined) known.set(id, (impure = IMPURE.test(macros.get(id)?.macro_sql ?? 'statement')));
  return impure;
}

/** The node's code key, or null when its compiled SQL may depend on more than the key holds. */
export function codeKey(i: CodeKeyInputs): CodeKey | null {
  const { node } = i;
  if (node.resource_type === 'seed' || typeof node.raw_code !== 'string' || (node.language ?? 'sql') !== 'sql') return null;
  if (IMPURE.test(node.raw_code)) return null;
  if (i.macroIds.some((id) => impureMacro(id, i.macros))) return null;
  const refs: string[] = [];
  for (const p of node.depends_on?.nodes ?? []) {
    const e = i.entries.get(p);
    // An ephemeral parent's compiled SQL is inlined into this node's: compile to compare.
    if (!e || e.config?.['materialized'] === 'ephemeral') return null;
    refs.push(`${p}=${e.relation_name ?? ''}`);
  }
  const code = digest(normalizeCode(node.raw_code));
  const key = digest(sortedJsonOf({
    code, command: i.command, relation: node.relation_name ?? null, refs: refs.sort(), test: node.test_metadata ?? null,
    config: i.parts['config'] ?? '', macros: i.parts['macros'] ?? '', vars_env: i.parts['vars_env'] ?? '', target: i.parts['target'] ?? '',
  }));
  return { key, code };
}
