// dbt's partial-parse file of a project, kept between the workers `local` starts (one per
// daemon, or one per `--no-daemon` run): the next worker's start-up parse begins from it, as
// plain dbt begins from its target/partial_parse.msgpack. Kept in the user's cache directory
// (never in the project, nor under $TMPDIR, where nothing accumulates); dbt itself decides
// whether the file still fits (its version, the project, profile, vars and env it read) and
// parses in full when it does not.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ProjectLocation } from './discover.js';

/** Files kept: the projects used most recently (each about the size of its manifest). */
const MAX_FILES = 16;

/** Where the start-up parse of a project finds and leaves its partial-parse file. */
export interface ParseSeeds {
  read(location: ProjectLocation, target: string | null): Uint8Array | null;
  write(location: ProjectLocation, target: string | null, bytes: Uint8Array): void;
}

/** `local`'s cache: `$XDG_CACHE_HOME/dbt-temporal/parse`, else `~/.cache/dbt-temporal/parse`; null without either. */
export function localParseCacheDir(env: Record<string, string | undefined>): string | null {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'dbt-temporal', 'parse');
  const home = env['HOME'];
  return home && isAbsolute(home) ? join(home, '.cache', 'dbt-temporal', 'parse') : null;
}

/** `local`'s cache for the dbt at `dbtPath` (localParseCacheDir), or null without one. */
export function localParseSeeds(env: Record<string, string | undefined>, dbtPath: string): ParseSeeds | null {
  const dir = localParseCacheDir(env);
  return dir ? parseCache(dir, dbtPath) : null;
}

/** A cache in `dir` for the dbt at `dbtPath`; any failure to read or write is a miss, never an error. */
export function parseCache(dir: string, dbtPath: string): ParseSeeds {
  const file = (location: ProjectLocation, target: string | null): string =>
    join(dir, `${createHash('sha256').update(JSON.stringify([location.dir, location.profilesDir, target, dbtPath])).digest('hex').slice(0, 32)}.msgpack`);
  return {
    read(location, target) {
      try {
        return new Uint8Array(readFileSync(file(location, target)));
      } catch {
        return null;
      }
    },
    write(location, target, bytes) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const path = file(location, target);
        if (sameBytes(path, bytes)) {
          // Unchanged (the start found nothing to re-parse): only marked as used, for the trim.
          const now = new Date();
          utimesSync(path, now, now);
          return;
        }
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes, { mode: 0o600 });
        renameSync(tmp, path);
        trim(dir);
      } catch {
        // not kept: the next start parses in full
      }
    },
  };
}

function sameBytes(path: string, bytes: Uint8Array): boolean {
  try {
    return statSync(path).size === bytes.byteLength && Buffer.from(bytes).equals(readFileSync(path));
  } catch {
    return false;
  }
}

function trim(dir: string): void {
  const files = readdirSync(dir).filter((n) => n.endsWith('.msgpack')).map((n) => {
    const path = join(dir, n);
    return { path, mtimeMs: statSync(path).mtimeMs };
  });
  files.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const f of files.slice(MAX_FILES)) rmSync(f.path, { force: true });
}
