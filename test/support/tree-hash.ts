// A digest of every path, mode and byte under some directories, to prove nothing changed.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function walk(dir: string, hash: ReturnType<typeof createHash>): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const path = join(dir, e.name);
    const st = await stat(path);
    hash.update(`${path}\0${st.mode}\0${st.mtimeMs}\0`);
    if (e.isDirectory()) await walk(path, hash);
    else hash.update(await readFile(path));
  }
}

export async function hashTree(dirs: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const d of dirs) await walk(d, hash);
  return hash.digest('hex');
}
