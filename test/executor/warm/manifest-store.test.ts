// One parse per worker and parse key: engines (here, two stores in one process) share frozen
// manifests through the worker's manifest dir; a variant is chosen by the values of the env
// vars the parse read, so an unrelated env var shares the parse and a profile's var does not.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

const SCRIPT = `
import json, os, sys
warm, project, scratch = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["DBT_TEMPORAL_MANIFEST_DIR"] = os.path.join(scratch, "shared")
sys.path.insert(0, warm)
import manifests
args = lambda t: ["parse", "--quiet", "--project-dir", project, "--profiles-dir", project,
    "--target-path", os.path.join(scratch, t), "--log-path", os.path.join(scratch, "l"), "--no-write-json"]
a, b = manifests.ManifestStore(), manifests.ManifestStore()
out = {}
os.environ["FRESH_DUCKDB_PATH"] = os.path.join(scratch, "one.duckdb")
os.environ["UNRELATED"] = "x"
m1, out["first"] = a.get("k", args("t1"))
m2, out["sibling"] = b.get("k", args("t2"))
os.environ["UNRELATED"] = "y"
os.environ["DBT_TARGET_PATH"] = "/elsewhere"
_, out["unrelated_env"] = b.get("k", args("t3"))
_, out["again"] = a.get("k", args("t4"))
os.environ["FRESH_DUCKDB_PATH"] = os.path.join(scratch, "two.duckdb")
_, out["profile_env"] = b.get("k", args("t5"))
_, out["profile_env_sibling"] = a.get("k", args("t6"))
out["private"] = m1 is not m2 and len(m1.nodes) == len(m2.nodes) > 0
out["names"] = manifests.parse_env_names(m1, args("t1"))
print(json.dumps(out))
`;

describe('the manifest store', () => {
  it('parses once per worker and env the parse read, and hands every caller a private copy', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'manifest-store-'));
    try {
      await execa('mkdir', [join(scratch, 'shared')]);
      const r = await execa(`${REPO_ROOT}.venv/bin/python`, ['-c', SCRIPT, `${REPO_ROOT}src/executor/warm`, `${REPO_ROOT}test/fixtures/fresh_duck`, scratch], {
        cwd: scratch, env: { DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
      });
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop() as string) as Record<string, unknown>;
      expect(out).toMatchObject({
        first: 'parsed', sibling: 'loaded', unrelated_env: 'hit', again: 'hit', profile_env: 'parsed', profile_env_sibling: 'loaded', private: true,
      });
      expect(out['names']).toContain('FRESH_DUCKDB_PATH');
      expect(out['names']).not.toContain('UNRELATED');
      // Two variants of one key on disk, nothing under the project.
      expect((await readdir(join(scratch, 'shared'))).filter((f) => f.endsWith('.pickle'))).toHaveLength(2);
      expect(await readdir(`${REPO_ROOT}test/fixtures/fresh_duck`)).not.toContain('target');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
