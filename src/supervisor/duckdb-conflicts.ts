// Two workers (or a worker and a notebook) on one DuckDB file is a common mistake: DuckDB
// allows one writing process per file, so every other process's nodes fail with lock errors
// until retries run out. The first conflict on each file is named in one warning.
import type { Logger } from './logger.js';

// DuckDB: `IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is held in /usr/bin/python3 (PID 123) by user u.`
const LOCK_CONFLICT = /Could not set lock on file "([^"]+)": Conflicting lock is held in (.+?) \(PID (\d+)\)/;

export interface DuckDbConflict {
  file: string;
  holder: string;
  pid: number;
}

/** The DuckDB file and the process holding it, when `message` is DuckDB's lock conflict. */
export function parseDuckDbConflict(message: string): DuckDbConflict | null {
  const m = LOCK_CONFLICT.exec(message);
  return m ? { file: m[1] as string, holder: m[2] as string, pid: Number(m[3]) } : null;
}

export class DuckDbConflictWarner {
  private readonly warned = new Set<string>();

  constructor(private readonly log: Pick<Logger, 'warn'>) {}

  /** Call with a failed node's message; warns once per file. Returns the conflict, if it was one. */
  note(message: string): DuckDbConflict | null {
    const conflict = parseDuckDbConflict(message);
    if (!conflict || this.warned.has(conflict.file)) return conflict;
    this.warned.add(conflict.file);
    this.log.warn({ duckdb_file: conflict.file, holder_pid: conflict.pid, holder: conflict.holder },
      `DuckDB file ${conflict.file} is in use by another process (PID ${conflict.pid}, ${conflict.holder}): a DuckDB file allows one writing process, so it belongs to one worker. Give each worker its own file (or use MotherDuck or a server warehouse) and keep other tools off it while runs are going.`);
    return conflict;
  }
}
