#!/usr/bin/env node
// Copies non-TypeScript runtime assets (the Python helpers run by the executor) into dist/.
import { cp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

async function* pythonFiles(dir) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* pythonFiles(path);
    else if (e.name.endsWith('.py')) yield path;
  }
}

for await (const file of pythonFiles(join(root, 'src'))) {
  await cp(file, join(root, 'dist', relative(root, file)));
}
