// The reuse fixture (test/fixtures/reuse_proj): a copy to edit, its raw source tables loaded
// outside dbt, on DuckDB or Postgres, and table dumps for comparisons with plain dbt.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';
import type { PgServer } from './postgres.js';
import { dumpDuckDbFile } from './duckdb-dump.js';

export const REUSE_FIXTURE = `${REPO_ROOT}test/fixtures/reuse_proj`;
const PY = `${REPO_ROOT}.venv/bin/python`;

/** The raw tables' rows (the source data), as SQL values lists. */
export interface RawData {
  orders: string[];
  customers: string[];
}

export const INITIAL_RAW: RawData = {
  orders: ["(1, 1, 5, '2024-01-01 00:00:00')", "(2, 1, 7, '2024-01-02 00:00:00')", "(3, 2, 4, '2024-01-02 00:00:00')", "(4, 3, 20, '2024-01-03 00:00:00')"],
  customers: ["(1, 'ann', 'n')", "(2, 'bob', 's')", "(3, 'cid', 'n')"],
};

function rawSql(schema: string, raw: RawData): string[] {
  return [
    `create schema if not exists ${schema}`,
    `drop table if exists ${schema}.orders`,
    `drop table if exists ${schema}.customers`,
    `create table ${schema}.orders (id integer, customer_id integer, amount integer, loaded_at timestamp)`,
    `create table ${schema}.customers (id integer, name varchar(20), region varchar(4))`,
    `insert into ${schema}.orders values ${raw.orders.join(', ')}`,
    `insert into ${schema}.customers values ${raw.customers.join(', ')}`,
  ];
}

/** One database (a DuckDB file or a Postgres schema pair) the fixture builds into. */
export interface ReuseWarehouse {
  target: 'duck' | 'pg';
  env: Record<string, string>;
  /** Where the raw (source) tables are. */
  rawSchema: string;
  /** Loads (replaces) the raw tables. */
  load(raw: RawData): Promise<void>;
  /** Runs SQL statements on it (outside dbt). */
  exec(statements: string[]): Promise<void>;
  /** Tables and views of the model schema (raw tables left out), rows sorted. */
  dump(): Promise<Record<string, unknown[][]>>;
}

const DUCK_EXEC = 'import duckdb,json,sys\ncon=duckdb.connect(sys.argv[1])\nfor s in json.loads(sys.argv[2]): con.execute(s)\ncon.close()';

export function duckWarehouse(path: string): ReuseWarehouse {
  const exec = async (statements: string[]): Promise<void> => {
    await execa(PY, ['-c', DUCK_EXEC, path, JSON.stringify(statements)]);
  };
  return {
    target: 'duck', env: { REUSE_DUCKDB_PATH: path, REUSE_SCHEMA: 'main', REUSE_RAW_SCHEMA: 'raw' }, rawSchema: 'raw',
    load: (raw) => exec(rawSql('raw', raw)), exec,
    dump: async () => Object.fromEntries(Object.entries(await dumpDuckDbFile(path)).filter(([k]) => k.startsWith('main.'))),
  };
}

export function pgWarehouse(pg: PgServer, schema: string): ReuseWarehouse {
  const exec = async (statements: string[]): Promise<void> => {
    await pg.query(statements.join(';\n'));
  };
  return {
    target: 'pg', env: { ...pg.env(schema), REUSE_SCHEMA: schema, REUSE_RAW_SCHEMA: `${schema}_raw` }, rawSchema: `${schema}_raw`,
    load: (raw) => exec(rawSql(`${schema}_raw`, raw)), exec,
    dump: async () => Object.fromEntries(Object.entries(await pg.dump(schema)).filter(([k]) => !k.startsWith('_raw.'))),
  };
}

/** A copy of the fixture at `dir` (the tests edit it; the fixture stays untouched). */
export async function copyFixture(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await cp(REUSE_FIXTURE, dir, { recursive: true });
}

/** Replaces text in one model of a copy. */
export async function editModel(dir: string, model: string, from: string | RegExp, to: string): Promise<void> {
  const path = join(dir, 'models', `${model}.sql`);
  const before = await readFile(path, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`editModel: ${String(from)} not found in ${model}.sql`);
  await writeFile(path, after);
}
