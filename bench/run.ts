// `npm run bench -- [--scenario <name>] [options] [--json]`: starts a Temporal dev server (and
// Postgres when a scenario needs it), runs one scenario against the built code, prints its
// Markdown table and writes bench/results/<name>.{json,md[,svg]}. `--json`: the last stdout
// line is {"rows": [...]}, the scenario's rows. Scenarios:
// - `competitors` (default): one synthetic project built by plain `dbt build --threads C`, one
//   dbt process per node, and dbt-temporal (subprocess/warm engines, fixed/resource-based
//   tuners). `--quick`: ~50 nodes, C=4, DuckDB. `--models`, `--concurrency`, `--warehouses`,
//   `--competitors dbt-build,per-node,subprocess,warm,warm-resource-based`, `--no-tuners`.
// - `nodes`: the same on the 1,000-node project (`--models 800`; dbt-build and warm).
// - `concurrency`: K runs at once (`--runs 1,4,8,16`, each on its own schema or DuckDB file) on
//   one default worker vs K plain `dbt build --threads 4` at once (`--models 40`; `--slots N`:
//   the worker's activity slots, WORKER_MAX_CONCURRENT_ACTIVITIES, instead of its default).
// - `scale-out`: one 200-node run (`--models 160`) over W default workers on one task queue
//   (`--workers 1,2,3`) vs plain dbt build; Postgres only.
// - `local`: `dbt-temporal local` (first run, warm daemon runs, list) vs plain `dbt build` /
//   `dbt ls`, one run each side, on examples/jaffle_duck and the 200-node project (`--models 160`).
// - `reuse`: the 200-node project built, one middle model edited, rebuilt with reuse vs only the
//   edited model and its descendants (`--repeat 3` pairs, median ratio) vs everything (docs/reuse.md).
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer, temporalExecutable } from '../src/supervisor/dev-server.js';
import { parseArgs } from './args.js';
import type { Args } from './args.js';
import { competitorsScenario } from './competitors.js';
import { concurrencyScenario } from './concurrency.js';
import { localScenario } from './local.js';
import { reuseScenario } from './reuse.js';
import { startPostgres } from './postgres.js';
import { writeResults } from './report.js';
import { scaleOutScenario } from './scale-out.js';
import type { Scenario } from './scenario.js';

const SCENARIOS: Record<string, (args: Args) => Scenario> = {
  competitors: (args) => competitorsScenario(args, 'competitors'),
  nodes: (args) => competitorsScenario(args, 'nodes'),
  concurrency: concurrencyScenario,
  'scale-out': scaleOutScenario,
  local: localScenario,
  reuse: reuseScenario,
};
const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const name = args.string('scenario', 'competitors');
  const make = SCENARIOS[name];
  if (!make) throw new TypeError(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}, got '${name}'`);
  const scenario = make(args);
  const scratch = await mkdtemp(join(tmpdir(), 'dbt-temporal-bench-'));
  const server = await startDevServer({ executable: temporalExecutable(process.env) });
  const pg = scenario.warehouses.includes('postgres') ? await startPostgres() : null;
  try {
    const result = await scenario.run({ scratch, temporalAddress: server.address, temporalPid: server.pid, pg, log });
    const machine = { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', mem_gib: Math.round(totalmem() / 2 ** 30), node: process.version };
    const doc = { scenario: result.name, generated_at: new Date().toISOString(), machine, ...result.doc };
    await writeResults(RESULTS, result.name, doc, result.table, result.svg);
    process.stdout.write(`\n${result.table}\n\nresults: bench/results/${result.name}.{json,md${result.svg ? ',svg' : ''}}\n`);
    if (args.flag('json')) process.stdout.write(`${JSON.stringify({ rows: result.rows })}\n`);
  } finally {
    await pg?.close();
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
