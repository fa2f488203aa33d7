// dbt ls's output forms, dbt's Found line and dbt's words for an empty selection, from dbt's own
// data (rows as dbt ls --output json prints them, a manifest's collections).
import { describe, expect, it } from 'vitest';
import { criterionWarning, emptySelectionWarnings, NOTHING_TO_DO, NO_NODES_SELECTED } from '../../../src/supervisor/planning/empty-selection.js';
import { fitListing, listingKeys, listingLines } from '../../../src/supervisor/planning/listing.js';
import { foundLine } from '../../../src/supervisor/planning/project-graph.js';

const ROWS = [
  '{"name": "orders", "resource_type": "source", "package_name": "shop", "original_file_path": "models/src.yml", "source_name": "raw", "fqn": ["shop", "raw", "orders"], "unique_id": "source.shop.raw.orders"}',
  '{"name": "dim", "resource_type": "model", "package_name": "shop", "original_file_path": "models/dim_v2.sql", "fqn": ["shop", "dim", "v2"], "version": 2, "unique_id": "model.shop.dim.v2"}',
  '{"name": "report", "resource_type": "exposure", "package_name": "shop", "original_file_path": "models/x.yml", "fqn": ["shop", "report"], "unique_id": "exposure.shop.report"}',
  '{"name": "test_dim", "resource_type": "unit_test", "package_name": "shop", "original_file_path": "models/x.yml", "fqn": ["shop", "test_dim"], "version": 2, "unique_id": "unit_test.shop.dim.test_dim"}',
];

describe('list as dbt ls', () => {
  it('derives selectors, names and paths as dbt ls does, in unique-id order', () => {
    const opts = (output: 'selector' | 'name' | 'path') => ({ output, output_keys: [], resource_types: [] });
    expect(listingLines(ROWS, opts('selector'))).toEqual(['exposure:shop.report', 'shop.dim.v2', 'source:shop.raw.orders', 'unit_test:shop.test_dim_v2']);
    expect(listingLines(ROWS, opts('name'))).toEqual(['report', 'dim.v2', 'raw.orders', 'test_dim']);
    expect(listingLines(ROWS, opts('path'))).toEqual(['models/x.yml', 'models/dim_v2.sql', 'models/src.yml', 'models/x.yml']);
  });

  it("keeps dbt's JSON rows, without the unique_id the plan added to the user's keys", () => {
    const keys = { output: 'json' as const, output_keys: ['name'], resource_types: [] };
    expect(listingKeys(keys)).toEqual(['name', 'unique_id']);
    expect(listingKeys({ ...keys, output_keys: [] })).toBeNull();
    expect(listingLines(['{"name": "a", "unique_id": "model.p.a"}', '{"unique_id": "model.p.b"}'], keys)).toEqual(['{"name": "a"}', '{}']);
    expect(listingLines(['{"name": "a", "unique_id": "model.p.a"}'], { ...keys, output_keys: ['unique_id', 'name'] })).toEqual(['{"name": "a", "unique_id": "model.p.a"}']);
  });
});

describe('a listing larger than a payload', () => {
  it('is cut to the budget, with a last line saying how many lines are missing', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line-${i}`);
    expect(fitListing(lines, 1000)).toEqual(lines);
    const cut = fitListing(lines, 20);
    expect(cut.slice(0, -1)).toEqual(['line-0', 'line-1']);
    expect(cut.at(-1)).toMatch(/^\.\.\. 8 more lines not shown/);
  });
});

describe("dbt's Found line", () => {
  it('counts node types in manifest order, then sources, exposures, macros, ..., unit tests, with dbt\'s plurals', () => {
    const node = (resource_type: string, enabled = true) => ({ unique_id: '', name: '', resource_type, package_name: 'p', config: { enabled } });
    const manifest = {
      nodes: { a: node('model'), b: node('test'), c: node('test'), d: node('seed'), e: node('test', false), f: node('analysis'), g: node('analysis') },
      sources: { s: node('source') }, macros: { m1: {}, m2: {} }, saved_queries: { q: node('saved_query') }, unit_tests: { u: node('unit_test'), v: node('unit_test') },
    };
    expect(foundLine(manifest)).toBe('1 model, 2 data tests, 1 seed, 2 analyses, 1 source, 2 macros, 1 saved query, 2 unit tests');
  });
});

describe('an empty selection, as dbt says it', () => {
  const request = { command: 'build' as const, select: 'tag:a b,c', exclude: null, selector: null };
  it("names each plain criterion and ends with dbt's Nothing to do (list: No nodes selected!)", () => {
    expect(emptySelectionWarnings(request, [], true)).toEqual([criterionWarning('tag:a'), NOTHING_TO_DO]);
    expect(emptySelectionWarnings({ ...request, command: 'list' }, [], true)).toEqual([criterionWarning('tag:a'), NO_NODES_SELECTED]);
  });

  it("keeps dbt's own warnings when they were captured, and names no criterion when dbt ls listed nodes", () => {
    const dbt = [criterionWarning('b,c'), NO_NODES_SELECTED];
    expect(emptySelectionWarnings(request, dbt, true)).toEqual([criterionWarning('b,c'), NOTHING_TO_DO]);
    expect(emptySelectionWarnings(request, [], false)).toEqual([NOTHING_TO_DO]);
  });
});
