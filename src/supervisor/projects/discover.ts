// Finds the dbt projects a worker serves (local directories) and checks they are usable.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CodedError } from '../../shared/errors.js';
import type { DbtConfig } from '../config/config.js';

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

function candidateDirs(spec: DbtConfig['projectSpec']): { dirs: string[]; origin: string } {
  switch (spec.kind) {
    case 'dirs':
      if (spec.dirs.length === 0) throw new CodedError('CONFIG_ERROR', `${spec.variable} is set but lists no directory`);
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

/** Lists the configured projects; duplicate names and missing profiles are startup errors. */
export function discoverProjects(dbt: DbtConfig): ProjectLocation[] {
  const { dirs, origin } = candidateDirs(dbt.projectSpec);
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
