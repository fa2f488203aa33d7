// The test file's PostgreSQL server (postgres.ts): started before the file's tests, and before
// the hooks registered after this call (such as its worker's), and closed after all of them.
import { afterAll, beforeAll } from 'vitest';
import { startPostgres } from './postgres.js';
import type { PgServer } from './postgres.js';

/** Registers the file's Postgres; the returned server is usable inside its tests and later hooks. */
export function usePostgres(): PgServer {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });
  const need = (): PgServer => {
    if (!server) throw new Error('Postgres is not started yet (use it inside a test)');
    return server;
  };
  return {
    get host() { return need().host; },
    get port() { return need().port; },
    env: (schema) => need().env(schema),
    freshSchema: (prefix) => need().freshSchema(prefix),
    query: (sql) => need().query(sql),
    dump: (prefix) => need().dump(prefix),
    stop: () => need().stop(),
    start: () => need().start(),
    close: () => need().close(),
  };
}
