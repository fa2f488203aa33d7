import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../../src/supervisor/reuse/fingerprint.js';
import { coversScope, probeScope } from '../../../src/supervisor/reuse/probe-scope.js';
import type { ProbeScope } from '../../../src/supervisor/reuse/probe-scope.js';

const ORDERS = 'source.p.raw.orders';
const CUSTOMERS = 'source.p.raw.customers';
const source = (id: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => {
  const name = id.split('.').pop() as string;
  return { unique_id: id, resource_type: 'source', database: 'DB', schema: 'Raw', name, identifier: name, relation_name: `"DB"."Raw"."${name}"`, ...extra };
};
const model = (id: string, deps: string[], schema = 'main'): ManifestEntry => ({ unique_id: id, resource_type: 'model', database: 'db', schema, depends_on: { nodes: deps } });

const entries = new Map<string, ManifestEntry>([
  ['model.p.a', model('model.p.a', [ORDERS])],
  ['model.p.b', model('model.p.b', ['model.p.a', CUSTOMERS], 'marts')],
  ['model.p.c', model('model.p.c', [], 'other')],
  [ORDERS, source(ORDERS, { loaded_at_field: 'loaded_at' })],
  [CUSTOMERS, source(CUSTOMERS, { identifier: 'customers_v2', config: { loaded_at_field: 'ts' } })],
]);

describe('probeScope', () => {
  it("lists the nodes' schemas, their source parents and those sources' schemas, lower-cased", () => {
    const scope = probeScope(entries, ['model.p.a', 'model.p.b']);
    expect([...scope.schemas].sort()).toEqual(['db.main', 'db.marts', 'db.raw']);
    expect(scope.sources.get(ORDERS)).toEqual({ unique_id: ORDERS, key: 'db.raw.orders', relation: '"DB"."Raw"."orders"', schema: 'Raw', identifier: 'orders', loaded_at_field: 'loaded_at' });
    expect(scope.sources.get(CUSTOMERS)).toMatchObject({ key: 'db.raw.customers_v2', identifier: 'customers_v2', loaded_at_field: 'ts' });
  });

  it('leaves out nodes it is not given, unknown ids, and sources without a relation', () => {
    const noRelation = new Map(entries).set(ORDERS, source(ORDERS, { relation_name: null }));
    const scope = probeScope(noRelation, ['model.p.a', 'model.p.missing']);
    expect([...scope.schemas]).toEqual(['db.main']);
    expect(scope.sources.size).toBe(0);
  });
});

describe('coversScope', () => {
  const all = probeScope(entries, ['model.p.a', 'model.p.b', 'model.p.c']);
  const needed = probeScope(entries, ['model.p.a', 'model.p.b']);
  const withSource = (scope: ProbeScope, id: string, s: ManifestEntry): ProbeScope => {
    const one = probeScope(new Map([['model.x', model('model.x', [id])], [id, s]]), ['model.x']);
    return { schemas: scope.schemas, sources: new Map(scope.sources).set(id, one.sources.get(id) as NonNullable<ReturnType<typeof one.sources.get>>) };
  };

  it('covers what it probed, and a subset of it', () => {
    expect(coversScope(all, needed)).toBe(true);
    expect(coversScope(needed, needed)).toBe(true);
    expect(coversScope(all, { schemas: new Set(), sources: new Map() })).toBe(true);
  });

  it('does not cover a schema it did not list', () => {
    expect(coversScope(needed, all)).toBe(false);
    expect(coversScope(all, { ...needed, schemas: new Set([...needed.schemas, 'db.elsewhere']) })).toBe(false);
  });

  it('does not cover a source it did not read', () => {
    const fewer: ProbeScope = { schemas: all.schemas, sources: new Map([...all.sources].filter(([id]) => id !== CUSTOMERS)) };
    expect(coversScope(fewer, needed)).toBe(false);
  });

  it('does not cover a source read from another relation, identifier, schema or loaded_at_field', () => {
    const variants: Partial<ManifestEntry>[] = [
      { relation_name: '"DB"."Raw2"."orders"' },
      { identifier: 'orders_v2' },
      { schema: 'Raw2', relation_name: '"DB"."Raw"."orders"' },
      { loaded_at_field: 'updated_at' },
      { loaded_at_field: null },
    ];
    for (const v of variants) {
      const probed = withSource(all, ORDERS, source(ORDERS, { loaded_at_field: 'loaded_at', ...v }));
      expect(coversScope(probed, needed), JSON.stringify(v)).toBe(false);
    }
    expect(coversScope(withSource(all, ORDERS, source(ORDERS, { loaded_at_field: 'loaded_at' })), needed)).toBe(true);
  });
});
