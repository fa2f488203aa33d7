// Finds the dbt projects a worker serves (local directories) and checks they are usable.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CodedError } from '../../shared/errors.js';
import type { DbtConfig } from '../config/config.js';
import { readObjectStoreConfig } from '../config/object-store-config.js';
import { fetchGitSource, isGitEntry, redact } from './git-source.js';
import type { FetchedSource } from './git-source.js';
import { fetchObjectSource, isObjectEntry } from './object-source.js';

export interface ProjectLocation {
  /** `name:` from dbt_project.yml; the key callers use in the `project` input field. */
  name: string;
  dir: string;
  profilesDir: string;
}

function projectName(dir: string, origin: string): string {
  const file = join(dir, 'dbt_project.yml');
  if (!existsSync(file)) throw new CodedError('CONFIG_ERROR', `${origin}: ${dir} has no dbt_project.yml`);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CodedError('CONFIG_ERROR', `${origin}: ${file} is not valid YAML: ${(err as Error).message}`);
  }
  const name = (doc as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || name === '') throw new CodedError('CONFIG_ERROR', `${origin}: ${file} has no \`name:\``);
  return name;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Project directories in a fetched source: the root if it is a project, else its subdirectories. */
function scanSource(root: string, entry: string): string[] {
  if (!isDir(root)) throw new CodedError('CONFIG_ERROR', `DBT_PROJECT_DIRS: ${entry}: subdirectory not found in the fetched source`);
  if (existsSync(join(root, 'dbt_project.yml'))) return [root];
  const dirs = readdirSync(root).sort().map((e) => join(root, e)).filter((d) => existsSync(join(d, 'dbt_project.yml')));
  if (dirs.length === 0) throw new CodedError('CONFIG_ERROR', `DBT_PROJECT_DIRS: ${entry}: no dbt_project.yml at its root or in its immediate subdirectories`);
  return dirs;
}

/** `${VAR}` in a DBT_PROJECT_DIRS entry (e.g. `#${GIT_COMMIT}`); an unset variable is an error. */
export function expandVars(entry: string, env: Readonly<Record<string, string | undefined>>, variable: string): string {
  return entry.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') throw new CodedError('CONFIG_ERROR', `${variable}: \${${name}} is not set (in ${redact(entry)})`);
    return value;
  });
}

function localDirs(spec: DbtConfig['projectSpec']): { dirs: string[]; origin: string } {
  switch (spec.kind) {
    case 'dirs':
      for (const d of spec.dirs) if (!isDir(d)) throw new CodedError('CONFIG_ERROR', `${spec.variable}: ${d} does not exist or is not a directory`);
      return { dirs: spec.dirs.map((d) => resolve(d)), origin: spec.variable };
    case 'parent': {
      if (!isDir(spec.dir)) throw new CodedError('CONFIG_ERROR', `DBT_PROJECTS_DIR: ${spec.dir} does not exist or is not a directory`);
      const dirs = readdirSync(spec.dir).sort().map((e) => resolve(spec.dir, e)).filter((d) => existsSync(join(d, 'dbt_project.yml')));
      if (dirs.length === 0) throw new CodedError('CONFIG_ERROR', `DBT_PROJECTS_DIR: no subdirectory of ${spec.dir} has a dbt_project.yml`);
      return { dirs, origin: 'DBT_PROJECTS_DIR' };
    }
    case 'cwd': {
      if (existsSync(join(spec.dir, 'dbt_project.yml'))) return { dirs: [resolve(spec.dir)], origin: 'current directory' };
      const dirs = readdirSync(spec.dir).sort().map((e) => resolve(spec.dir, e)).filter((d) => existsSync(join(d, 'dbt_project.yml')));
      if (dirs.length === 0) {
        throw new CodedError('CONFIG_ERROR', 'no dbt project found: set DBT_PROJECT_DIR, DBT_PROJECT_DIRS or DBT_PROJECTS_DIR');
      }
      return { dirs, origin: 'current directory' };
    }
  }
}

/** Names each project directory and checks its profile; duplicate names are startup errors. */
function locate(dirs: readonly string[], origin: string, dbt: DbtConfig): ProjectLocation[] {
  const seen = new Map<string, string>();
  return dirs.map((dir) => {
    const name = projectName(dir, origin);
    const other = seen.get(name);
    if (other) throw new CodedError('CONFIG_ERROR', `duplicate project name '${name}' (${other} and ${dir})`);
    seen.set(name, dir);
    const profilesDir = dbt.profilesDir ? resolve(dbt.profilesDir) : dir;
    if (!existsSync(join(profilesDir, 'profiles.yml'))) {
      const where = dbt.profilesDir ? 'DBT_PROFILES_DIR' : `project '${name}'`;
      throw new CodedError('CONFIG_ERROR', `${where}: no profiles.yml in ${profilesDir}`);
    }
    return { name, dir, profilesDir };
  });
}

export interface ProjectSources {
  locations: ProjectLocation[];
  /** Removes fetched (git, object store) checkouts; idempotent. */
  cleanup(): Promise<void>;
}

/**
 * Resolves the configured project sources: local directories, and remote entries of
 * DBT_PROJECT_DIRS fetched into /tmp/dbtt-models-* for the worker's lifetime.
 */
export async function loadProjectSources(
  dbt: DbtConfig,
  env: Readonly<Record<string, string | undefined>>,
  gitToken?: string | null,
): Promise<ProjectSources> {
  const fetched: FetchedSource[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(fetched.splice(0).map((f) => f.cleanup()));
  };
  try {
    const spec = dbt.projectSpec;
    if (spec.kind !== 'dirs') {
      const { dirs, origin } = localDirs(spec);
      return { locations: locate(dirs, origin, dbt), cleanup };
    }
    if (spec.dirs.length === 0) throw new CodedError('CONFIG_ERROR', `${spec.variable} is set but lists no directory`);
    const dirs: string[] = [];
    for (const raw of spec.dirs) {
      const entry = expandVars(raw, env, spec.variable);
      if (isGitEntry(entry)) {
        const token = gitToken ?? null;
        const source = await fetchGitSource(entry, { env: definedEnv(env), token });
        fetched.push(source);
        dirs.push(...scanSource(source.dir, redact(entry, token)));
      } else if (isObjectEntry(entry)) {
        const source = await fetchObjectSource(entry, { objectStores: readObjectStoreConfig(env), variable: spec.variable });
        fetched.push(source);
        dirs.push(...scanSource(source.dir, entry));
      } else {
        dirs.push(...localDirs({ ...spec, dirs: [entry] }).dirs);
      }
    }
    return { locations: locate(dirs, spec.variable, dbt), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
