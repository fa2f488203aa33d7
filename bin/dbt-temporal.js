#!/usr/bin/env -S node --max-semi-space-size=2
// Thin launcher: the CLI lives in the compiled output (run `npm run build` first). The shebang's
// V8 flags are src/supervisor/cli/worker-node-flags.ts's (why: there).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/supervisor/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('dbt-temporal: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}
await import(entry.href);
