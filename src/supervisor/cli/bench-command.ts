// `dbt-temporal bench`: tunes the worker on the user's own project. On an embedded Temporal dev
// server it builds the selection once with plain `dbt build` (the floor) and once per setting of
// the sweep (slots, resource-based tuner targets, engine counts, concurrent runs), each setting a
// fresh worker process; prints a table, writes bench.json and report.html into --output, and
// names the fastest setting that fits --memory-limit with the env vars to deploy it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { CodedError } from '../../shared/errors.js';
import { resolveDbtExecutable } from '../config/config.js';
import { readMemoryMb } from '../config/worker-config.js';
import { startDevServer, temporalExecutable } from '../dev-server.js';
import { bestSetting, bestText, htmlReport, rowOf, textTable } from './bench-report.js';
import type { BenchRow } from './bench-report.js';
import { measureDbtBuild, measureWorker } from './bench-sweep.js';
import type { BenchTarget } from './bench-sweep.js';
import { UsageError } from './parse-argv.js';
import { findProfilesDir, findProjectDir } from './project-paths.js';
import { ensureToolchain } from './toolchain.js';

type Env = Record<string, string | undefined>;

export const BENCH_USAGE = `Usage: dbt-temporal bench [flags]
Measures dbt-temporal on your project against plain \`dbt build\`, on this machine (an embedded
Temporal dev server; each setting a fresh worker process). Builds into the profile's target
(use --target for a dev schema); writes nothing into the project.
  e.g. dbt-temporal bench --slots 2,4,8 --runs 1,4 --memory-limit 512Mi --target dev

  --project-dir DIR       the dbt project (default: the nearest dbt_project.yml up from here)
  --profiles-dir DIR      as dbt (default: DBT_PROFILES_DIR, the project dir, ., ~/.dbt)
  -t, --target NAME       the profile target to build into
  -s, --select SEL...     dbt selection (default: the whole project)
  --exclude SEL...        dbt exclusion
  --slots N,N             fixed activity slots to try (WORKER_MAX_CONCURRENT_ACTIVITIES)
  --resource T,T          resource-based tuner targets to try (CPU and memory; CPU:MEM for two)
  --engines N,N           warm engine counts to try (WORKER_MAX_ENGINES)
  --runs K,K              concurrent runs per setting (default 1)
  --threads N             dbt threads of the \`dbt build\` baseline (default: the profile's)
  --memory-limit Q        the pod's memory (512Mi, 2Gi): given to every worker, and the best
                          setting is the fastest whose peak RSS fits it
  --output DIR            where bench.json and report.html go (default: a new dir under TMPDIR)
  --json                  the last stdout line is {"rows": [...], "best": ...}`;

const OPTIONS = {
  'project-dir': { type: 'string' }, 'profiles-dir': { type: 'string' }, target: { type: 'string', short: 't' },
  select: { type: 'string', short: 's', multiple: true }, exclude: { type: 'string', multiple: true },
  slots: { type: 'string' }, resource: { type: 'string' }, engines: { type: 'string' }, runs: { type: 'string' },
  threads: { type: 'string' }, 'memory-limit': { type: 'string' }, output: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

interface Setting {
  label: string;
  env: Record<string, string>;
  runs: number;
}

function ints(flag: string, raw: string | undefined): number[] {
  if (raw === undefined) return [];
  const out = raw.split(',').map((v) => v.trim());
  if (out.some((v) => !/^[1-9]\d*$/.test(v))) throw new UsageError(`--${flag} must be positive integers separated by commas, got ${JSON.stringify(raw)}`);
  return out.map(Number);
}

function targets(raw: string | undefined): Array<[string, string]> {
  if (raw === undefined) return [];
  return raw.split(',').map((v) => {
    const [cpu, mem = cpu] = v.trim().split(':') as [string, string?];
    for (const x of [cpu, mem]) if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(x ?? '') || Number(x) <= 0) throw new UsageError(`--resource takes targets in (0, 1], e.g. 0.7,0.9 or 0.7:0.8, got ${JSON.stringify(raw)}`);
    return [cpu, mem as string];
  });
}

/** The sweep: every tuner setting x engine count x concurrent runs. */
export function sweepOf(v: { slots?: string; resource?: string; engines?: string; runs?: string }, memoryLimit: string | null): Setting[] {
  const tuners = [
    ...ints('slots', v.slots).map((n) => ({ label: `slots=${n}`, env: { WORKER_MAX_CONCURRENT_ACTIVITIES: String(n) } })),
    ...targets(v.resource).map(([cpu, mem]) => ({ label: `resource=${cpu === mem ? cpu : `${cpu}:${mem}`}`, env: { WORKER_TUNER: 'resource-based', WORKER_RESOURCE_TARGET_CPU: cpu, WORKER_RESOURCE_TARGET_MEM: mem } })),
  ];
  const engines = ints('engines', v.engines);
  const runs = ints('runs', v.runs);
  const out: Setting[] = [];
  for (const t of tuners.length ? tuners : [{ label: 'defaults', env: {} }]) {
    for (const e of engines.length ? engines : [null]) {
      for (const k of runs.length ? runs : [1]) {
        out.push({
          label: [t.label, ...(e !== null ? [`engines=${e}`] : []), `runs=${k}`].join(' '), runs: k,
          env: { ...t.env, ...(e !== null ? { WORKER_MAX_ENGINES: String(e) } : {}), ...(memoryLimit ? { WORKER_MEMORY_LIMIT: memoryLimit } : {}) },
        });
      }
    }
  }
  return out;
}

const inside = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

function progress(i: number, n: number, what: string): void {
  const bar = '#'.repeat(i) + '-'.repeat(n - i);
  process.stderr.write(`dbt-temporal bench [${bar}] ${i}/${n} ${what}\n`);
}

export async function benchCommand(argv: string[], env: Env, cwd: string): Promise<number> {
  let v: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    const parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, tokens: true });
    v = parsed.values;
    // As in dbt, -s/--select and --exclude take several values: `-s a b --exclude c d`.
    let last: string | undefined;
    for (const tok of parsed.tokens) {
      if (tok.kind === 'option') last = tok.name;
      else if (tok.kind === 'positional' && (last === 'select' || last === 'exclude')) (v[last] ??= []).push(tok.value);
      else if (tok.kind === 'positional') throw new UsageError(`unexpected argument '${tok.value}'`);
    }
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
  if (v.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const projectDir = findProjectDir(v['project-dir'], cwd);
  const profilesDir = findProfilesDir(v['profiles-dir'], env, projectDir, cwd);
  const memoryLimit = v['memory-limit'] ?? null;
  let memoryLimitMb: number | null = null;
  try {
    memoryLimitMb = memoryLimit ? readMemoryMb({ WORKER_MEMORY_LIMIT: memoryLimit }, 'WORKER_MEMORY_LIMIT') : null;
  } catch (err) {
    throw new UsageError(`--memory-limit: ${(err as Error).message}`);
  }
  const threads = ints('threads', v.threads)[0];
  const settings = sweepOf(v, memoryLimit);
  const output = resolve(cwd, v.output ?? join(tmpdir(), `dbt-temporal-bench-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  if (inside(projectDir, output)) throw new UsageError(`--output must be outside the project directory (${projectDir}): bench never writes into the project`);
  if (!ensureToolchain(env, true)) throw new CodedError('CONFIG_ERROR', 'the Python toolchain could not be set up (see above)');

  const select = (v.select ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  const exclude = (v.exclude ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  const scratch = mkdtempSync(join(tmpdir(), 'dbt-temporal-bench-scratch-'));
  const t: BenchTarget = { projectDir, profilesDir, target: v.target, select, exclude, scratch, env, cwd };
  const rows: BenchRow[] = [];
  const steps = settings.length + 1;
  const server = await startDevServer({ executable: temporalExecutable(env) });
  try {
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      const baseline = `dbt build${threads ? ` --threads ${threads}` : ''}`;
      progress(0, steps, `${baseline} ...`);
      rows.push(rowOf(baseline, 'dbt-build', 1, {}, await measureDbtBuild(t, resolveDbtExecutable(env), threads)));
      for (const [i, s] of settings.entries()) {
        progress(i + 1, steps, `${s.label} ...`);
        rows.push(rowOf(s.label, 'worker', s.runs, s.env, await measureWorker(t, client, server.address, s.env, s.runs)));
      }
      progress(steps, steps, 'done');
    } finally {
      await connection.close();
    }
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }

  const best = bestSetting(rows, memoryLimitMb, memoryLimit);
  const title = `dbt-temporal bench: ${basename(projectDir)}${v.target ? ` (target ${v.target})` : ''}`;
  mkdirSync(output, { recursive: true });
  const doc = { project_dir: projectDir, target: v.target ?? null, select, exclude, memory_limit: memoryLimit, rows, best };
  writeFileSync(join(output, 'bench.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(output, 'report.html'), htmlReport({ title, rows, best, memoryLimit }));
  process.stdout.write(`${textTable(rows)}\n\n${bestText(best, memoryLimit)}\n\nReport: ${join(output, 'report.html')}\n`);
  if (v.json) process.stdout.write(`${JSON.stringify({ rows, best })}\n`);
  return 0;
}
