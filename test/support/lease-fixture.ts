// Postgres projects for the lease and admission tests, written into a test's scratch dir: every
// seed and model sleeps in a pre-hook (so builds overlap and pg_stat_activity sees them) and logs
// its build into `<LEASE_LOG_SCHEMA>.builds` (the warehouse-side build counter). Plus a sampler of
// how many node queries the warehouse runs at once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

export const LEASE_MODELS = ['stg_items', 'items_a', 'items_b', 'items_ab'];

/** A project `name` (reads PARITY_PG_* and PARITY_SCHEMA as the parity fixtures do); `settings` is its dbt_temporal.yml. */
export function writeLeaseProject(dir: string, name: string, settings: string, sleepSecs: number): string {
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  const hooks = [
    `      +pre-hook: "select pg_sleep(${sleepSecs})"`,
    `      +post-hook: "insert into {{ env_var('LEASE_LOG_SCHEMA') }}.builds values ('{{ this.identifier }}', '{{ invocation_id }}')"`,
  ];
  writeFileSync(join(dir, 'dbt_project.yml'), [
    `name: ${name}`, 'version: "1.0"', `profile: ${name}`,
    'models:', `  ${name}:`, '    +materialized: table', ...hooks.map((h) => h.slice(2)),
    'seeds:', `  ${name}:`, ...hooks.map((h) => h.slice(2)), '',
  ].join('\n'));
  const env = (k: string): string => `"{{ env_var('${k}') }}"`;
  writeFileSync(join(dir, 'profiles.yml'), [
    `${name}:`, '  target: pg', '  outputs:', '    pg:', '      type: postgres', '      threads: 4',
    `      host: ${env('PARITY_PG_HOST')}`, `      port: "{{ env_var('PARITY_PG_PORT') | as_number }}"`, `      user: ${env('PARITY_PG_USER')}`,
    `      password: ${env('PARITY_PG_PASSWORD')}`, `      dbname: ${env('PARITY_PG_DATABASE')}`, `      schema: ${env('PARITY_SCHEMA')}`, '',
  ].join('\n'));
  writeFileSync(join(dir, 'dbt_temporal.yml'), settings);
  writeFileSync(join(dir, 'seeds/raw_items.csv'), 'id,amount\n1,10\n2,20\n3,30\n4,40\n');
  writeFileSync(join(dir, 'models/stg_items.sql'), "select id, amount from {{ ref('raw_items') }}\n");
  writeFileSync(join(dir, 'models/items_a.sql'), "select id, amount * 2 as amount from {{ ref('stg_items') }}\n");
  writeFileSync(join(dir, 'models/items_b.sql'), "select id, amount + 1 as amount from {{ ref('stg_items') }}\n");
  writeFileSync(join(dir, 'models/items_ab.sql'), "select a.id, a.amount + b.amount as amount from {{ ref('items_a') }} a join {{ ref('items_b') }} b using (id)\n");
  return dir;
}

const SAMPLER_PY = `
import json, sys, time, psycopg2
con = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], password=sys.argv[4], dbname=sys.argv[5])
con.autocommit = True
cur = con.cursor()
peak, busy, samples = 0, 0, 0
try:
    while True:
        cur.execute("select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like '%%pg_sleep(%%'")
        n = cur.fetchone()[0]
        peak, samples, busy = max(peak, n), samples + 1, busy + (1 if n > 0 else 0)
        time.sleep(0.05)
except KeyboardInterrupt:
    pass
print(json.dumps({"peak": peak, "busy": busy, "samples": samples}), flush=True)
`;

export interface ConcurrencySampler {
  /** Stops sampling: the most node queries seen at once, and how many samples saw any. */
  stop(): Promise<{ peak: number; busy: number; samples: number }>;
}

/** Samples pg_stat_activity every 50 ms for node queries (the fixture's `pg_sleep` pre-hooks). */
export function sampleNodeQueries(env: Record<string, string>): ConcurrencySampler {
  const child = execa(`${REPO_ROOT}.venv/bin/python`, ['-c', SAMPLER_PY, env['PARITY_PG_HOST'] ?? '', env['PARITY_PG_PORT'] ?? '', env['PARITY_PG_USER'] ?? '', env['PARITY_PG_PASSWORD'] ?? '', env['PARITY_PG_DATABASE'] ?? ''], { reject: false });
  return {
    async stop() {
      child.kill('SIGINT');
      const r = await child;
      return JSON.parse(String(r.stdout)) as { peak: number; busy: number; samples: number };
    },
  };
}
