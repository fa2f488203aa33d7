// What a reuse plan's warehouse probe must read: the schemas of the reusable nodes (whose
// relations it lists) and their sources (whose data versions it reads), and whether a probe of
// one scope answers for another (a speculative probe, docs/reuse.md).
import type { ManifestEntry } from './fingerprint.js';
import type { ProbeSource } from './probe.js';

export interface ProbeScope {
  /** Lower-cased `database.schema` of each node and source. */
  schemas: Set<string>;
  /** Source unique id -> what the probe reads of it. */
  sources: Map<string, ProbeSource>;
}

/** The probe's scope for the nodes `ids`: their schemas, their source parents and those sources' schemas. */
export function probeScope(entries: ReadonlyMap<string, ManifestEntry>, ids: Iterable<string>): ProbeScope {
  const schemas = new Set<string>();
  const sources = new Map<string, ProbeSource>();
  for (const id of ids) {
    const e = entries.get(id);
    if (e?.schema) schemas.add(`${e.database ?? ''}.${e.schema}`.toLowerCase());
    for (const p of e?.depends_on?.nodes ?? []) {
      const s = entries.get(p);
      if (!p.startsWith('source.') || !s?.relation_name || !s.schema) continue;
      sources.set(p, {
        unique_id: p, key: `${s.database ?? ''}.${s.schema}.${s.identifier ?? s.name}`.toLowerCase(), relation: s.relation_name, schema: s.schema,
        identifier: s.identifier ?? s.name ?? '', loaded_at_field: s.loaded_at_field ?? (s.config?.['loaded_at_field'] as string | undefined) ?? null,
      });
      schemas.add(`${s.database ?? ''}.${s.schema}`.toLowerCase());
    }
  }
  return { schemas, sources };
}

const sameSource = (a: ProbeSource, b: ProbeSource): boolean =>
  a.key === b.key && a.relation === b.relation && a.identifier === b.identifier && a.schema === b.schema && a.loaded_at_field === b.loaded_at_field;

/**
 * Whether a probe of `probed` answers for `needed`: it listed every needed schema (so a relation
 * it did not find is missing) and read every needed source as the run would (same relation and
 * data version query). More than needed is fine: the decision only looks things up.
 */
export function coversScope(probed: ProbeScope, needed: ProbeScope): boolean {
  for (const schema of needed.schemas) if (!probed.schemas.has(schema)) return false;
  for (const [id, source] of needed.sources) {
    const got = probed.sources.get(id);
    if (!got || !sameSource(got, source)) return false;
  }
  return true;
}
