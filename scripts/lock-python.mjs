#!/usr/bin/env node
// Regenerates requirements.lock from requirements.txt, and requirements-dev.lock (the dev tools)
// from requirements-dev.txt, with uv (`UV` or `uv` on PATH; install it with `pip install uv`).
// uv keeps the versions already in a lock unless its input asks for others, so a regeneration
// changes only what it must.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uv = process.env.UV ?? 'uv';
const LOCKS = [
  { input: 'requirements.txt', lock: 'requirements.lock', what: 'Every Python package of the toolchain' },
  { input: 'requirements-dev.txt', lock: 'requirements-dev.lock', what: 'The Python dev tools (.tools/venv) and their dependencies' },
];

for (const { input, lock, what } of LOCKS) {
  const out = join(root, lock);
  const body = spawnSync(uv, ['pip', 'compile', input, '--generate-hashes', '--universal', '--python-version', '3.11',
    '--no-header', '--annotation-style', 'line', '-o', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (body.error || body.status !== 0) {
    process.stderr.write(`lock: \`${uv} pip compile ${input}\` failed${body.error ? `: ${body.error.message} (install uv: pip install uv)` : ''}\n`);
    process.exit(1);
  }
  const digest = createHash('sha256').update(readFileSync(join(root, input))).digest('hex');
  const compiled = readFileSync(out, 'utf8').replace(/^#(?! via).*\n/gm, '');
  writeFileSync(out, `# ${what}, pinned with hashes (pip install --require-hashes).
# Generated from ${input} by \`npm run lock\` (uv pip compile --universal --generate-hashes);
# \`npm run setup\` refuses a lock whose input digest does not match ${input}.
# input: ${input} sha256=${digest}
${compiled}`);
  console.log(`lock: wrote ${lock} (input sha256=${digest})`);
}
