// A wide, uneven DAG for the priority benchmark: long chains of quick views (height says they
// matter most) and one chain of slow tables (pg_sleep) that really is the critical path.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_NAME, profile } from './generate.js';

export interface PriorityProjectSpec {
  /** Quick chains and their length (nodes). */
  quickChains: number;
  quickDepth: number;
  /** Slow chains, their length, and the seconds each slow node sleeps. */
  slowChains: number;
  slowDepth: number;
  slowSecs: number;
}

/** Writes the Postgres project under `dir`; returns its node count. */
export async function generatePriorityProject(dir: string, spec: PriorityProjectSpec): Promise<number> {
  const models = join(dir, 'models');
  await mkdir(models, { recursive: true });
  await writeFile(join(dir, 'dbt_project.yml'), [
    `name: ${PROJECT_NAME}`, 'version: "1.0.0"', 'config-version: 2', `profile: ${PROJECT_NAME}`,
    'model-paths: ["models"]', 'flags:', '  send_anonymous_usage_stats: false', '',
  ].join('\n'));
  await writeFile(join(dir, 'profiles.yml'), profile('postgres'));
  const write = (name: string, sql: string) => writeFile(join(models, `${name}.sql`), sql);
  for (let c = 0; c < spec.quickChains; c++) {
    for (let k = 0; k < spec.quickDepth; k++) {
      const from = k === 0 ? '' : ` from {{ ref('q${c}_${k - 1}') }}`;
      await write(`q${c}_${k}`, `{{ config(materialized='view') }}\nselect ${k} as k${from}\n`);
    }
  }
  // Named last, so a first-in-first-out queue reaches them last too.
  for (let c = 0; c < spec.slowChains; c++) {
    for (let k = 0; k < spec.slowDepth; k++) {
      const from = k === 0 ? '' : `{{ ref('z_slow${c}_${k - 1}') }} p cross join `;
      await write(`z_slow${c}_${k}`, `{{ config(materialized='table') }}\nselect ${k} as k from ${from}pg_sleep(${spec.slowSecs})\n`);
    }
  }
  return spec.quickChains * spec.quickDepth + spec.slowChains * spec.slowDepth;
}
