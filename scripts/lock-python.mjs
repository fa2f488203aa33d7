#!/usr/bin/env node
// Regenerates requirements.lock from requirements.txt with uv (`UV` or `uv` on PATH; install it
// with `pip install uv`). uv keeps the versions already in the lock unless requirements.txt
// asks for others, so a regeneration changes only what it must.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'requirements.lock');
const uv = process.env.UV ?? 'uv';

const body = spawnSync(uv, ['pip', 'compile', 'requirements.txt', '--generate-hashes', '--universal', '--python-version', '3.11',
  '--no-header', '--annotation-style', 'line', '-o', lock], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (body.error || body.status !== 0) {
  process.stderr.write(`lock: \`${uv} pip compile\` failed${body.error ? `: ${body.error.message} (install uv: pip install uv)` : ''}\n`);
  process.exit(1);
}
const digest = createHash('sha256').update(readFileSync(join(root, 'requirements.txt'))).digest('hex');
const compiled = readFileSync(lock, 'utf8').replace(/^#(?! via).*\n/gm, '');
writeFileSync(lock, `# Every Python package of the toolchain, pinned with hashes (pip install --require-hashes).
# Generated from requirements.txt by \`npm run lock\` (uv pip compile --universal --generate-hashes);
# \`npm run setup\` refuses a lock whose input digest does not match requirements.txt.
# input: requirements.txt sha256=${digest}
${compiled}`);
console.log(`lock: wrote requirements.lock (input sha256=${digest})`);
