// The warehouse probe of a reuse plan: which relations exist, and each source's data version,
// through the run's own profile: run by the engine right after the plan's ls (warm mode, when
// the plan knows its scope up front), else as one `dbt compile --inline` (Jinja running the
// same queries).
//   - a source with a `loaded_at_field`: max(loaded_at_field);
//   - else Postgres: pg_stat_user_tables' insert/update/delete counters plus the table's
//     filenode (a TRUNCATE or rewrite changes it);
//   - else DuckDB (no change counter of its own): row count plus a sum of row hashes (a scan);
//   - else, or when the relation is missing or a view: unknown (its dependents always rebuild).
import type { WarehouseProbe } from '../../shared/executor-protocol.js';

export interface ProbeSource {
  unique_id: string;
  /** Lower-cased `database.schema.identifier`. */
  key: string;
  /** The quoted relation name dbt renders for it. */
  relation: string;
  schema: string;
  identifier: string;
  loaded_at_field: string | null;
}

export interface ProbeAnswer {
  /** Lower-cased `database.schema.name` of every relation found in the probed schemas. */
  exists: Set<string>;
  /** Source unique id -> its data version; absent: unknown. */
  versions: Map<string, string>;
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The data version query of one source, or null when this adapter has no cheap signal. */
export function sourceVersionSql(adapter: string, s: ProbeSource): string | null {
  const k = sqlString(s.unique_id);
  if (s.loaded_at_field) return `select ${k} as k, 'max:' || coalesce(cast(max(${s.loaded_at_field}) as varchar), 'null') as v from ${s.relation}`;
  if (adapter === 'postgres') {
    return `select ${k} as k, case when st.relid is null then null else concat_ws(':', 'pgstat', st.n_tup_ins, st.n_tup_upd, st.n_tup_del, pg_relation_filenode(c.oid)) end as v`
      + ` from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_stat_user_tables st on st.relid = c.oid`
      + ` where n.nspname = ${sqlString(s.schema)} and c.relname = ${sqlString(s.identifier)}`;
  }
  if (adapter === 'duckdb') return `select ${k} as k, 'rows:' || cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash(t)), 0) as varchar) as v from ${s.relation} as t`;
  return null;
}

/** The probe's queries: the relations of `schemas`, then the data version of each listed source that has a cheap one. */
export function probeQueries(adapter: string, schemas: readonly string[], sources: readonly ProbeSource[]): WarehouseProbe {
  const inList = schemas.map(sqlString).join(', ') || "''";
  return {
    exists_sql: `select lower(table_catalog) || '.' || lower(table_schema) || '.' || lower(table_name) as k from information_schema.tables where lower(table_catalog) || '.' || lower(table_schema) in (${inList})`,
    sources: sources.flatMap((s) => {
      const sql = sourceVersionSql(adapter, s);
      return sql === null ? [] : [{ key: s.key, sql }];
    }),
  };
}

/** Jinja for `dbt compile --inline` running probeQueries: renders `{"exists": [...], "versions": [[id, v], ...]}`. */
export function probeJinja(adapter: string, schemas: readonly string[], sources: readonly ProbeSource[]): string {
  const raw = (name: string, sql: string): string => `{% set ${name} %}{% raw %}${sql}{% endraw %}{% endset %}`;
  const queries = probeQueries(adapter, schemas, sources);
  const parts: string[] = [raw('q_exists', queries.exists_sql)];
  const picks: string[] = [];
  queries.sources.forEach((s, i) => {
    parts.push(raw(`q_${i}`, s.sql));
    picks.push(`{% if ${sqlString(s.key)} in have %}{% do qs.append(q_${i}) %}{% endif %}`);
  });
  return [
    ...parts,
    '{% if execute %}',
    '{% set have = [] %}{% for row in run_query(q_exists).rows %}{% do have.append(row[0]) %}{% endfor %}',
    '{% set qs = [] %}', ...picks,
    '{% set vs = [] %}{% if qs %}{% for row in run_query(qs | join(" union all ")).rows %}{% do vs.append([row[0], row[1]]) %}{% endfor %}{% endif %}',
    "{{ tojson({'exists': have, 'versions': vs}) }}",
    '{% endif %}',
  ].join('');
}

/** The probe's answer from the compiled code of the inline node. */
export function parseProbe(compiled: string): ProbeAnswer {
  return probeAnswer(JSON.parse(compiled.trim()) as { exists: string[]; versions: [string, string | null][] });
}

/** The probe's answer from its rows. */
export function probeAnswer(doc: { exists: string[]; versions: [string, string | null][] }): ProbeAnswer {
  const versions = new Map<string, string>();
  for (const [id, v] of doc.versions) if (typeof v === 'string' && v !== '') versions.set(id, v);
  return { exists: new Set(doc.exists.map((k) => k.toLowerCase())), versions };
}
