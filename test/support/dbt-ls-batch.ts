// `dbt ls` for many selections in one Python process: dbt parses the project once and each
// selection runs dbt's own `ls` on that manifest (the oracle for selector parity, cheaply).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

const PY = `${REPO_ROOT}.venv/bin/python`;

const LS_PY = `
import json, sys
from dbt.cli.main import dbtRunner
project, scratch = sys.argv[1], sys.argv[2]
cases = json.loads(sys.stdin.read())
common = ['--project-dir', project, '--profiles-dir', project, '--target-path', scratch + '/target',
          '--log-path', scratch + '/logs', '--quiet', '--no-use-colors']
out = []
manifests = {}
for case in cases:
    key = json.dumps(case['parse_args'])
    if key not in manifests:
        manifests[key] = dbtRunner().invoke(['parse'] + common + case['parse_args'])
    parsed = manifests[key]
    if not parsed.success:
        out.append({'error': str(parsed.exception)})
        continue
    res = dbtRunner(manifest=parsed.result).invoke(['ls', '--output', 'json', '--output-keys', 'unique_id'] + common + case['args'])
    if not res.success:
        out.append({'error': str(res.exception)})
        continue
    out.append({'ids': sorted(json.loads(line)['unique_id'] for line in (res.result or []))})
print(json.dumps(out))
`;

export interface LsCase {
  /** `dbt ls` selection flags (`--select`, `--exclude`, `--indirect-selection`, `--vars`...). */
  args: string[];
  /** Flags that change parsing (`--vars`); cases with equal parse args share one parse. */
  parseArgs: string[];
}

export type LsResult = { ids: string[] } | { error: string };

/** Runs `dbt ls` for each case on the project, in order; the project dir stays untouched. */
export async function dbtLsBatch(projectDir: string, cases: LsCase[], env: Record<string, string> = {}): Promise<LsResult[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'dbt-ls-batch-'));
  try {
    const input = JSON.stringify(cases.map((c) => ({ args: c.args, parse_args: c.parseArgs })));
    const r = await execa(PY, ['-c', LS_PY, projectDir, scratch], {
      input, cwd: scratch, env: { ...process.env, ...env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
    });
    const last = String(r.stdout).trim().split('\n').pop() ?? '[]';
    return JSON.parse(last) as LsResult[];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
