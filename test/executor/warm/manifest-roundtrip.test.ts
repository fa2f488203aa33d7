// Warm engines keep parsed manifests as bytes; a copy must keep every lookup intact (dbt-core's
// own Manifest pickling shifts them by one, which broke `source()` in warm mode). Engines share
// parses through the worker's manifest dir, told apart by the env vars the parse read.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

const SCRIPT = `
import json, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import dbt_reach
from dbt.cli.main import dbtRunner
project, scratch = sys.argv[2], sys.argv[3]
res = dbtRunner().invoke(["parse", "--quiet", "--project-dir", project, "--profiles-dir", project,
    "--target-path", scratch + "/t", "--log-path", scratch + "/l", "--no-write-json"])
m = res.result
m.ref_lookup, m.source_lookup, m.disabled_lookup
copy = dbt_reach.thaw_manifest(dbt_reach.freeze_manifest(m))
src = copy.resolve_source("raw", "raw_events", "fresh_duck", project and "fresh_duck")
print(json.dumps({"source_lookup": type(copy.source_lookup).__name__, "ref_lookup": type(copy.ref_lookup).__name__,
                  "source": src.unique_id, "nodes": len(copy.nodes) == len(m.nodes)}))
`;

describe('warm engine manifest copies', () => {
  it('keep dbt lookups intact, so source() and ref() resolve', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'manifest-roundtrip-'));
    try {
      const r = await execa(`${REPO_ROOT}.venv/bin/python`, ['-c', SCRIPT, `${REPO_ROOT}src/executor/warm/dbt_reach.py`, `${REPO_ROOT}test/fixtures/fresh_duck`, scratch], {
        cwd: scratch, env: { FRESH_DUCKDB_PATH: join(scratch, 'x.duckdb'), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
      });
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop() as string) as Record<string, unknown>;
      expect(out).toEqual({ source_lookup: 'SourceLookup', ref_lookup: 'RefableLookup', source: 'source.fresh_duck.raw.raw_events', nodes: true });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
