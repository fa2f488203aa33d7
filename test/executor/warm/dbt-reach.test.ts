// The warm engine's start-up self-check over its reach-ins into dbt internals: silent on the
// pinned versions, and a loud error naming the dbt version and the missing target otherwise.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

const PY = `${REPO_ROOT}.venv/bin/python`;
const prelude = `import sys, json; sys.dont_write_bytecode = True; sys.path.insert(0, "${REPO_ROOT}src/executor/warm"); import dbt_reach\n`;

async function python(code: string) {
  return execa(PY, ['-c', prelude + code], { reject: false });
}

describe('dbt_reach self-check', () => {
  it('passes on the pinned dbt versions, with no version warning', async () => {
    const r = await python('print(json.dumps(dbt_reach.self_check()))');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout).trim())).toEqual([]);
  });

  it('fails loudly, naming the dbt version and the target, when a reach-in target is gone', async () => {
    const r = await python('import dbt.cli.requires as q\ndel q.initialize_from_flags\ndbt_reach.self_check()');
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/RuntimeError: dbt-temporal warm engine: dbt-core 1\.11\.\d+ lacks dbt\.cli\.requires\.initialize_from_flags \(the engine was checked against dbt-core 1\.11\.16\)/);
  });
});
