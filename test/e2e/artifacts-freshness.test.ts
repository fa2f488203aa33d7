// source-freshness statuses as plain dbt reports them, dbt's sources.json stored after it, and
// catalog.json when WRITE_CATALOG is on.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusMap } from '../support/client.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { REPO_ROOT } from '../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/fresh_duck`;
const e2e = useE2eWorker('fresh', (scratch) => ({
  DBT_PROJECT_DIR: PROJECT, WRITE_ARTIFACTS: 'true', ARTIFACT_STORE: join(scratch, 'store'), WRITE_CATALOG: 'true',
}));
const inScratch = (...parts: string[]): string => join(e2e.scratch, ...parts);

describe('freshness and catalog artifacts', () => {
  it('writes catalog.json with the built relations when WRITE_CATALOG is on', async () => {
    const env = { FRESH_DUCKDB_PATH: inScratch('ours.duckdb') };
    const res = await e2e.run({ env });
    expect(res.ok, res.message ?? '').toBe(true);
    const catalogPath = res.output?.artifacts?.catalog_path;
    expect(catalogPath).toBe(inScratch('store', res.output?.invocation_id as string, 'catalog.json'));
    const catalog = JSON.parse(await readFile(catalogPath as string, 'utf8')) as { nodes: Record<string, { columns: Record<string, unknown> }> };
    expect(Object.keys(catalog.nodes['model.fresh_duck.items']?.columns ?? {}).map((c) => c.toLowerCase()).sort()).toEqual(['events', 'id', 'name']);
  });

  it('checks only sources with freshness criteria, with the statuses plain dbt reports, and stores sources.json', async () => {
    const ours = { FRESH_DUCKDB_PATH: inScratch('ours.duckdb') };
    const oracleDb = { FRESH_DUCKDB_PATH: inScratch('oracle.duckdb') };
    expect((await runPlainDbt(PROJECT, ['seed'], oracleDb)).exitCode).toBe(0);
    const oracleTarget = inScratch('oracle-target');
    await runPlainDbt(PROJECT, ['source', 'freshness', '--output', join(oracleTarget, 'sources.json')], oracleDb);
    const expected = (JSON.parse(await readFile(join(oracleTarget, 'sources.json'), 'utf8')) as { results: { unique_id: string; status: string }[] }).results
      .map((r) => [r.unique_id, r.status]).sort();

    const res = await e2e.run({ command: 'source-freshness', env: ours });
    expect(res.ok, res.message ?? '').toBe(true);
    expect([...statusMap(res.output)].sort()).toEqual(expected);
    expect(expected).toEqual([['source.fresh_duck.raw.raw_events', 'warn'], ['source.fresh_duck.raw.raw_items', 'pass']]);
    const events = res.output?.node_results.find((r) => r.unique_id === 'source.fresh_duck.raw.raw_events');
    expect(events?.freshness?.max_loaded_at).toMatch(/^2020-01-02/);

    const sourcesPath = inScratch('store', res.output?.invocation_id as string, 'sources.json');
    expect(existsSync(sourcesPath)).toBe(true);
    const sources = JSON.parse(await readFile(sourcesPath, 'utf8')) as { metadata: { dbt_schema_version: string }; results: { unique_id: string; status: string }[] };
    expect(sources.metadata.dbt_schema_version).toMatch(/sources\/v3/);
    expect(sources.results.map((r) => [r.unique_id, r.status]).sort()).toEqual(expected);
  });
});
