// Reads query results from a DuckDB file with the venv's duckdb (the same engine dbt used).
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

const PY = `${REPO_ROOT}.venv/bin/python`;

/** Rows of `sql` as JSON-friendly arrays, ordered as the query orders them. */
export async function queryDuckDb(path: string, sql: string): Promise<unknown[][]> {
  const script = 'import duckdb,json,sys\ncon=duckdb.connect(sys.argv[1], read_only=True)\nprint(json.dumps([list(r) for r in con.execute(sys.argv[2]).fetchall()], default=str))';
  const r = await execa(PY, ['-c', script, path, sql]);
  return JSON.parse(String(r.stdout)) as unknown[][];
}

/** Every table/view in the database with its full content, for equality checks. */
export async function dumpDuckDb(path: string): Promise<Record<string, unknown[][]>> {
  const rels = await queryDuckDb(path, "select table_schema || '.' || table_name from information_schema.tables order by 1");
  const out: Record<string, unknown[][]> = {};
  for (const [name] of rels) out[String(name)] = await queryDuckDb(path, `select * from ${String(name)} order by all`);
  return out;
}
