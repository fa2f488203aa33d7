// Where `local` puts the worker's and the Temporal SDK's logs: a file it names (removed after a
// clean run unless the user chose it), or stderr with --verbose.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { createLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { temporalLogger } from '../temporal-logger.js';

export interface LocalLogs {
  log: Logger;
  /** The log file, or null on stderr. */
  path: string | null;
  /** After the run: removes a temp log of a clean run; returns the file to point at, if kept. */
  finish(clean: boolean): Promise<string | null>;
}

export function openLocalLogs(opts: { verbose: boolean; file: string | undefined; cwd: string }): LocalLogs {
  const chosen = opts.file !== undefined ? resolve(opts.cwd, opts.file) : null;
  const path = opts.verbose && chosen === null ? null : (chosen ?? join(tmpdir(), `dbt-temporal-local-${process.pid}-${randomUUID().slice(0, 8)}.log`));
  const log = createLogger(opts.verbose ? 'info' : 'warn', undefined, path ?? undefined);
  // Core's own logs are forwarded into the same logger instead of its console output.
  Runtime.install({ logger: temporalLogger(log), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
  return {
    log,
    path,
    async finish(clean) {
      if (path === null) return null;
      if (clean && chosen === null) {
        await rm(path, { force: true });
        return null;
      }
      return path;
    },
  };
}
