// A reuse plan's warehouse probe on a real engine (dbt + DuckDB, no Temporal): inside the plan's
// ls, the engine runs it right after the ls through the profile the ls resolved (the run's env
// names the database), lists the relations, reads only the sources it found, and a probe that
// fails costs the ls nothing; on its own, it answers as the `dbt compile --inline` of its Jinja
// (subprocess mode's way) does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompileTask, ListTask, WarehouseProbe } from '../../../src/shared/executor-protocol.js';
import { WarmEnginePool } from '../../../src/executor/warm/engine-pool.js';
import { directLink } from '../../../src/executor/warm/engine-link.js';
import { runCompileWarm } from '../../../src/executor/warm/run-compile.js';
import { runListWarm } from '../../../src/executor/warm/run-list.js';
import { parseProbe, probeJinja, probeQueries } from '../../../src/supervisor/reuse/probe.js';
import { compiledCodes } from '../../../src/supervisor/reuse/run-probe.js';
import { DBT, REPO_ROOT } from '../../support/paths.js';

const PROJECT = `${REPO_ROOT}test/fixtures/warm_duck`;
let scratch: string;
let db: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'warm-list-probe-'));
  db = join(scratch, 'probed.duckdb');
  const script = 'import duckdb,sys\ncon=duckdb.connect(sys.argv[1])\ncon.execute("create table main.raw_orders as select range as id from range(7)")\ncon.close()';
  await execa(`${REPO_ROOT}.venv/bin/python`, ['-c', script, db]);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const invocation = (): ListTask['invocation'] => ({
  dbtPath: DBT, projectDir: PROJECT, profilesDir: PROJECT, target: null, vars: {}, partialParse: null, timeoutMs: 120_000,
  env: { ...(process.env as Record<string, string>), WARM_DUCKDB_PATH: db },
});

const listTask = (probe: WarehouseProbe): ListTask =>
  ({ type: 'list', invocation: invocation(), select: 'probe', exclude: null, indirectSelection: null, resourceTypes: ['model'], probe });

const source = (name: string, loadedAt: string | null = null) => ({
  unique_id: `source.warm_duck.raw.${name}`, key: `probed.main.${name}`, relation: `"probed"."main"."${name}"`, schema: 'main', identifier: name, loaded_at_field: loadedAt,
});

describe('a warehouse probe in the plan\'s ls', () => {
  it('lists the relations and reads the data version of each source found, skipping the missing one', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1 });
    try {
      const link = directLink(pool, new AbortController().signal);
      // The missing source's query would fail if it ran: it must not.
      const probe = probeQueries('duckdb', ['probed.main'], [source('raw_orders'), source('absent'), source('raw_orders_too', 'loaded_at')]);
      const res = await runListWarm(listTask(probe), link);
      expect(res.type, JSON.stringify(res).slice(0, 2_000)).toBe('listed');
      if (res.type !== 'listed') return;
      expect(res.uniqueIds).toEqual(['model.warm_duck.probe']);
      expect(res.probe).toEqual({ exists: ['probed.main.raw_orders'], versions: [['source.warm_duck.raw.raw_orders', expect.stringMatching(/^rows:7:-?\d+$/)]] });

      // A failing probe is reported as such; the ls itself still answers.
      const broken = await runListWarm(listTask({ exists_sql: 'select * from no_such_table', sources: [] }), link);
      expect(broken.type).toBe('listed');
      if (broken.type !== 'listed') return;
      expect(broken.uniqueIds).toEqual(['model.warm_duck.probe']);
      expect(broken.probe).toMatchObject({ error: expect.stringMatching(/no_such_table/) });
    } finally {
      await pool.close();
    }
  }, 180_000);

  it('answers on its own as the dbt compile --inline of its Jinja does', async () => {
    const pool = new WarmEnginePool({ maxEngines: 1 });
    try {
      const link = directLink(pool, new AbortController().signal);
      const [schemas, sources] = [['probed.main'], [source('raw_orders'), source('absent')]];
      const task: CompileTask = { type: 'compile', invocation: invocation(), select: null, inline: probeJinja('duckdb', schemas, sources) };
      const answer = async (t: CompileTask) => {
        const codes = compiledCodes(await runCompileWarm(t, link));
        expect(typeof codes, String(codes)).not.toBe('string');
        return parseProbe([...(codes as Map<string, string>).values()][0] ?? '');
      };
      const direct = await answer({ ...task, probe: probeQueries('duckdb', schemas, sources) });
      expect(direct.exists).toEqual(new Set(['probed.main.raw_orders']));
      expect([...direct.versions.keys()]).toEqual(['source.warm_duck.raw.raw_orders']);
      expect(await answer(task)).toEqual(direct);
      // A probe that fails is the task's failure, as a failing compile is.
      const broken = await runCompileWarm({ ...task, probe: { exists_sql: 'select * from no_such_table', sources: [] } }, link);
      expect(broken).toMatchObject({ type: 'error', message: expect.stringMatching(/warehouse probe failed: [\s\S]*no_such_table/) });
    } finally {
      await pool.close();
    }
  }, 180_000);
});
