// Every table and view of a DuckDB file with its full content, in one Python process (the venv's
import { join } from 'node:path';
// duckdb, the engine dbt used): keys `<schema>.<table>`, rows as strings, sorted.
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

const PY = `${REPO_ROOT}.venv/bin/python`;

const DUMP_PY = `
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
out = {}
for s, t in con.execute("select table_schema, table_name from information_schema.tables order by 1, 2").fetchall():
    rows = [[None if v is None else str(v) for v in r] for r in con.execute('select * from "%s"."%s"' % (s, t)).fetchall()]
    out[s + '.' + t] = sorted(rows, key=lambda r: json.dumps(r))
print(json.dumps(out))
`;

/** The whole database as `{ '<schema>.<table>': rows }`, for equality checks. */
export async function dumpDuckDbFile(path: string): Promise<Record<string, unknown[][]>> {
  const r = await execa(PY, ['-c', DUMP_PY, path]);
  return JSON.parse(String(r.stdout)) as Record<string, unknown[][]>;
}

/** A parity side on a fresh DuckDB file `<scratch>/<name>.duckdb`. */
export function duckDbSide(scratch: string, name: string): { env: Record<string, string>; dump: () => ReturnType<typeof dumpDuckDbFile> } {
  const path = join(scratch, `${name}.duckdb`);
  return { env: { PARITY_DUCKDB_PATH: path }, dump: () => dumpDuckDbFile(path) };
}
