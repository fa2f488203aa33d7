// Projects fetched from a real git repository served over loopback HTTP (git http-backend).
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../src/shared/errors.js';
import { fetchGitSource, parseGitEntry } from '../../src/supervisor/projects/git-source.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { startGitHttpServer } from '../support/git-http-server.js';
import type { GitHttpServer } from '../support/git-http-server.js';
import { SECOND_PROJECT } from '../support/paths.js';
import { runCli } from '../support/worker-process.js';

let server: GitHttpServer;
let repoUrl: string;
let firstSha: string;
let workerTmp: string;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  return String(r.stdout).trim();
}

// The repository and its server are made first; the file's worker serves the project pinned
// at the first commit (DBT_PROJECT_DIRS=git+...#${GIT_COMMIT}:subdir), with its own TMPDIR.
const e2e = useE2eWorker('git', async (scratch) => {
  const work = join(scratch, 'work');
  await mkdir(work);
  await git(work, 'init', '-q', '-b', 'main');
  await cp(SECOND_PROJECT, join(work, 'sub', 'second_duck'), { recursive: true });
  await git(work, 'add', '.');
  await git(work, 'commit', '-q', '-m', 'first');
  firstSha = await git(work, 'rev-parse', 'HEAD');
  await git(work, 'tag', 'v1');
  await rm(join(work, 'sub', 'second_duck', 'models', 'city_summary.sql'));
  await git(work, 'commit', '-q', '-am', 'drop a model on main');
  await mkdir(join(scratch, 'srv'));
  await execa('git', ['clone', '-q', '--bare', work, join(scratch, 'srv', 'repo.git')]);
  server = await startGitHttpServer(join(scratch, 'srv'));
  repoUrl = `git+${server.url}/repo.git`;
  workerTmp = join(scratch, 'worker-tmp');
  await mkdir(workerTmp);
  return { TMPDIR: workerTmp, DBT_PROJECT_DIRS: `${repoUrl}#\${GIT_COMMIT}:sub`, GIT_COMMIT: firstSha };
});

afterAll(async () => {
  await server?.close();
});

describe('git project sources', () => {
  it('parses #ref and :subdir, and requires the ref', () => {
    expect(parseGitEntry('git+https://h/r.git#main:a/b')).toEqual({ url: 'https://h/r.git', ref: 'main', subdir: 'a/b' });
    expect(() => parseGitEntry('git+https://h/r.git')).toThrow(CodedError);
    expect(() => parseGitEntry('git+https://h/r.git#main:../x')).toThrow(/invalid :subdir/);
  });

  it('fetches a branch, a tag and a commit SHA over HTTP into /tmp/dbtt-models-*', async () => {
    const env = process.env as Record<string, string>;
    const main = await fetchGitSource(`${repoUrl}#main:sub`, { env, token: null });
    const tag = await fetchGitSource(`${repoUrl}#v1:sub`, { env, token: null });
    const sha = await fetchGitSource(`${repoUrl}#${firstSha}:sub`, { env, token: null });
    try {
      expect(main.dir).toMatch(/dbtt-models-/);
      expect(existsSync(join(main.dir, 'second_duck', 'models', 'city_summary.sql'))).toBe(false);
      expect(existsSync(join(tag.dir, 'second_duck', 'models', 'city_summary.sql'))).toBe(true);
      expect(existsSync(join(sha.dir, 'second_duck', 'models', 'city_summary.sql'))).toBe(true);
    } finally {
      await Promise.all([main.cleanup(), tag.cleanup(), sha.cleanup()]);
    }
    expect(existsSync(main.dir)).toBe(false);
  });

  it('fails with a clear error that never shows the token', async () => {
    const token = 'tok-SECRET-123';
    const err = await fetchGitSource(`git+${server.url}/missing.git#main`, { env: process.env as Record<string, string>, token }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect((err as Error).message).toMatch(/cannot fetch .*missing\.git/);
    expect((err as Error).message).not.toContain(token);
  });

  it('serves a run from a project pinned with DBT_PROJECT_DIRS=git+...#${GIT_COMMIT}:subdir', async () => {
    const base = { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: e2e.address, TMPDIR: workerTmp };
    const res = await e2e.run({ command: 'build', env: { SECOND_DUCKDB_PATH: join(e2e.scratch, 'git.duckdb') } });
    expect(res.ok, res.message ?? '').toBe(true);
    // The pinned commit still has city_summary (main does not).
    expect(res.output?.node_results.map((r) => r.unique_id).filter((id) => id.startsWith('model.')).sort())
      .toEqual(['model.second_duck.city_summary', 'model.second_duck.stg_cities']);
    await e2e.stop();
    // The checkout is removed at shutdown.
    expect((await readdir(workerTmp)).filter((e) => e.startsWith('dbtt-models-'))).toEqual([]);

    const unset = await runCli(['worker'], { ...base, TMPDIR: tmpdir(), DBT_PROJECT_DIRS: `${repoUrl}#\${NOT_SET_ANYWHERE}` });
    expect(unset.exitCode, unset.stderr).toBe(2);
    expect(unset.stderr).toMatch(/DBT_PROJECT_DIRS: \$\{NOT_SET_ANYWHERE\} is not set/);
  });
});
