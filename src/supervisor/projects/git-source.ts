// Projects fetched from git at startup: `git+https://host/org/repo.git#<ref>[:<subdir>]` (also
// git+http, git+ssh, git+file). `<ref>` is a branch, a tag or a commit SHA (the reference
// implementation accepts only branches and tags). The checkout lives in /tmp/dbtt-models-<uuid>
// for the worker's lifetime and is removed at shutdown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CodedError } from '../../shared/errors.js';

export interface GitSpec {
  url: string;
  ref: string;
  subdir: string | null;
}

export interface FetchedSource {
  /** Directory to scan for projects (the subdir when one was given). */
  dir: string;
  cleanup(): Promise<void>;
}

const GIT_SCHEMES = /^git\+(https?|ssh|file):\/\//;

export function isGitEntry(entry: string): boolean {
  return GIT_SCHEMES.test(entry);
}

/** Parses `git+<url>#<ref>[:<subdir>]`; the ref is required. */
export function parseGitEntry(entry: string): GitSpec {
  const hash = entry.lastIndexOf('#');
  if (!isGitEntry(entry) || hash < 0) {
    throw new CodedError('CONFIG_ERROR', `DBT_PROJECT_DIRS: ${redact(entry)} must look like git+https://host/repo.git#<branch|tag|sha>[:<subdir>]`);
  }
  const url = entry.slice('git+'.length, hash);
  const rest = entry.slice(hash + 1);
  const colon = rest.indexOf(':');
  const ref = colon < 0 ? rest : rest.slice(0, colon);
  const subdir = colon < 0 ? null : rest.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  if (ref === '') throw new CodedError('CONFIG_ERROR', `DBT_PROJECT_DIRS: ${redact(entry)} has an empty #ref`);
  if (subdir !== null && (subdir === '' || subdir.split('/').includes('..'))) {
    throw new CodedError('CONFIG_ERROR', `DBT_PROJECT_DIRS: ${redact(entry)} has an invalid :subdir`);
  }
  return { url, ref, subdir };
}

/** Hides credentials embedded in URLs and any token given for https auth. */
export function redact(text: string, token?: string | null): string {
  let out = text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');
  if (token) out = out.split(token).join('***');
  return out;
}

/** Git environment: no prompts; a token (GITHUB_TOKEN / GIT_TOKEN) injected for https only. */
function gitEnv(baseEnv: Record<string, string>, url: string, token: string | null): Record<string, string> {
  const env: Record<string, string> = { ...baseEnv, GIT_TERMINAL_PROMPT: '0' };
  const host = /^https:\/\/([^/@]+)\//.exec(url)?.[1];
  if (token && host) {
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `url.https://x-access-token:${token}@${host}/.insteadOf`,
      GIT_CONFIG_VALUE_0: `https://${host}/`,
    });
  }
  return env;
}

const SHA = /^[0-9a-f]{7,40}$/i;

/** Clones the entry's ref (shallow) into a fresh /tmp/dbtt-models-* directory. */
export async function fetchGitSource(entry: string, opts: { env: Record<string, string>; token: string | null; timeoutMs?: number }): Promise<FetchedSource> {
  const spec = parseGitEntry(entry);
  const root = await mkdtemp(join(tmpdir(), `dbtt-models-${process.pid}-`));
  const cleanup = () => rm(root, { recursive: true, force: true });
  const env = gitEnv(opts.env, spec.url, opts.token);
  const git = (args: string[]) => execa('git', args, { cwd: root, env, extendEnv: false, timeout: opts.timeoutMs ?? 300_000, reject: false, stdin: 'ignore' });
  try {
    // Branches and tags: a shallow clone. Commit SHAs: init + a shallow fetch of that commit.
    const steps: string[][] = SHA.test(spec.ref)
      ? [['init', '-q', '.'], ['remote', 'add', 'origin', spec.url], ['fetch', '-q', '--depth', '1', 'origin', spec.ref], ['checkout', '-q', 'FETCH_HEAD']]
      : [['clone', '-q', '--depth', '1', '--branch', spec.ref, spec.url, '.']];
    for (const args of steps) {
      const r = await git(args);
      if (r.exitCode !== 0) {
        const why = String(r.stderr || r.shortMessage || '').trim();
        throw new CodedError('CONFIG_ERROR', `DBT_PROJECT_DIRS: cannot fetch ${redact(entry, opts.token)}: git ${args[0]} failed: ${redact(why, opts.token)}`);
      }
    }
    const dir = spec.subdir ? join(root, spec.subdir) : root;
    return { dir, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
