// Generates synthetic dbt projects: N models in layers (width x depth), alternating views and
// tables, each model joining two parents from the layer above, plus generic tests. Column `k`
// is a 32-bit integer on both warehouses and stays below K_MODULUS at any depth (a plain sum
// of two parents doubles per layer and overflows Postgres' integer past ~30 layers).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Warehouse = 'duckdb' | 'postgres';

export interface ProjectSpec {
  /** Number of models. */
  models: number;
  /** Models per layer (the DAG's width); depth = ceil(models / width). */
  width: number;
  /** A `unique` test on every k-th model (0: none). */
  testEvery: number;
  warehouse: Warehouse;
  /** The profile's dbt threads (a warm worker's run context runs this many nodes at once). */
  threads?: number;
}

export const PROJECT_NAME = 'bench_project';

/** Every model's `k` is taken modulo this, so values stay bounded however deep the DAG. */
export const K_MODULUS = 1000;

function modelName(layer: number, i: number): string {
  return `m_${layer}_${i}`;
}

function modelSql(layer: number, i: number, width: number, prevCount: number): string {
  const materialized = layer % 2 === 0 ? 'table' : 'view';
  const head = `{{ config(materialized='${materialized}') }}\n`;
  if (layer === 0) return `${head}select g as id, cast(g % 7 as integer) as k from generate_series(1, 1000) as t(g)\n`;
  const a = modelName(layer - 1, i % prevCount);
  const b = modelName(layer - 1, (i + 1 + Math.floor(width / 2)) % prevCount);
  if (a === b) return `${head}select id, (k + 1) % ${K_MODULUS} as k from {{ ref('${a}') }}\n`;
  return `${head}select x.id, (x.k + y.k) % ${K_MODULUS} as k from {{ ref('${a}') }} x join {{ ref('${b}') }} y on x.id = y.id\n`;
}

export function profile(warehouse: Warehouse, threads = 4): string {
  const outputs = warehouse === 'duckdb'
    ? `      type: duckdb\n      path: "{{ env_var('BENCH_DUCKDB_PATH') }}"\n      threads: ${threads}\n`
    : [
      '      type: postgres',
      "      host: \"{{ env_var('BENCH_PG_HOST') }}\"",
      "      port: \"{{ env_var('BENCH_PG_PORT') | as_number }}\"",
      "      user: \"{{ env_var('BENCH_PG_USER') }}\"",
      "      password: \"{{ env_var('BENCH_PG_PASSWORD') }}\"",
      "      dbname: \"{{ env_var('BENCH_PG_DATABASE') }}\"",
      "      schema: \"{{ env_var('BENCH_PG_SCHEMA') }}\"",
      `      threads: ${threads}`,
      '',
    ].join('\n');
  return `${PROJECT_NAME}:\n  target: bench\n  outputs:\n    bench:\n${outputs}`;
}

/** Writes the project under `dir` and returns how many nodes `dbt build` runs. */
export async function generateProject(dir: string, spec: ProjectSpec): Promise<{ models: number; tests: number; nodes: number }> {
  const modelsDir = join(dir, 'models');
  await mkdir(modelsDir, { recursive: true });
  await writeFile(join(dir, 'dbt_project.yml'), [
    `name: ${PROJECT_NAME}`, 'version: "1.0.0"', 'config-version: 2', `profile: ${PROJECT_NAME}`,
    'model-paths: ["models"]', 'flags:', '  send_anonymous_usage_stats: false', '',
  ].join('\n'));
  await writeFile(join(dir, 'profiles.yml'), profile(spec.warehouse, spec.threads));
  const depth = Math.ceil(spec.models / spec.width);
  const tested: string[] = [];
  let n = 0;
  let prevCount = 0;
  for (let layer = 0; layer < depth; layer += 1) {
    const count = Math.min(spec.width, spec.models - layer * spec.width);
    for (let i = 0; i < count; i += 1) {
      const name = modelName(layer, i);
      await writeFile(join(modelsDir, `${name}.sql`), modelSql(layer, i, spec.width, prevCount));
      n += 1;
      if (spec.testEvery > 0 && n % spec.testEvery === 0) tested.push(name);
    }
    prevCount = count;
  }
  const yml = ['version: 2', 'models:', ...tested.flatMap((m) => [`  - name: ${m}`, '    columns:', '      - name: id', '        data_tests: [unique]'])];
  // An empty `models:` is null to dbt, a parsing error: no file when there are no tests.
  if (tested.length > 0) await writeFile(join(modelsDir, '_tests.yml'), `${yml.join('\n')}\n`);
  return { models: spec.models, tests: tested.length, nodes: spec.models + tested.length };
}
