// Projects fetched from an object store at startup: `s3://bucket/prefix` or `gs://bucket/prefix`
// in DBT_PROJECT_DIRS. Every object under the prefix is downloaded into /tmp/dbtt-models-<uuid>
// (kept for the worker's lifetime, removed at shutdown by cleanup()).
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CodedError } from '../../shared/errors.js';
import type { ObjectStoreConfig } from '../config/object-store-config.js';
import { openBucket } from '../objects/bucket.js';
import type { Bucket } from '../objects/bucket.js';
import { isObjectUrl, parseObjectUrl } from '../objects/object-url.js';

export interface ObjectSourceOptions {
  /** Object-store client settings (`ArtifactsConfig.objectStores`). */
  objectStores: ObjectStoreConfig;
  /** Names the setting in error messages. @default DBT_PROJECT_DIRS */
  variable?: string;
  /** Objects downloaded at once. @default 8 */
  concurrency?: number;
  /** Parent of the dbtt-models-* download directory. @default os.tmpdir() (TMPDIR, else /tmp) */
  tmpRoot?: string;
}

export interface ObjectSource {
  /** The download root: the project itself, or a directory of projects. */
  dir: string;
  /** Project directories found there by the remote scan rule (root, else immediate subdirectories). */
  projectDirs: string[];
  /** Removes the download; idempotent. */
  cleanup(): Promise<void>;
}

export function isObjectEntry(entry: string): boolean {
  return isObjectUrl(entry);
}

/** The remote scan rule: the root if it has dbt_project.yml, else its immediate subdirectories that do. */
export function scanDownloadedProjects(root: string): string[] {
  if (existsSync(join(root, 'dbt_project.yml'))) return [root];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'dbt_project.yml')))
    .map((e) => join(root, e.name))
    .sort();
}

/** The local relative path of `key` under `prefix`; null for directory markers. Throws for path tricks. */
function relativePath(key: string, prefix: string, where: string): string | null {
  const rest = prefix === '' ? key : key.slice(prefix.length + 1);
  if (rest === '' || rest.endsWith('/')) return null;
  const segments = rest.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || s.includes('\\'))) {
    throw new CodedError('CONFIG_ERROR', `${where}: object key ${JSON.stringify(key)} cannot be written safely to disk`);
  }
  return segments.join('/');
}

async function download(bucket: Bucket, keys: readonly string[], prefix: string, root: string, where: string, concurrency: number): Promise<number> {
  const files = keys.flatMap((key) => {
    const rel = relativePath(key, prefix, where);
    return rel === null ? [] : [{ key, path: join(root, rel) }];
  });
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, async () => {
    while (!failed && next < files.length) {
      const file = files[next++] as { key: string; path: string };
      try {
        const body = await bucket.get(file.key);
        await mkdir(dirname(file.path), { recursive: true });
        await writeFile(file.path, body);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  // Settle every worker before reporting, so nothing writes into the directory after cleanup.
  const outcomes = await Promise.allSettled(workers);
  const rejected = outcomes.find((o) => o.status === 'rejected');
  if (rejected) throw rejected.reason;
  return files.length;
}

/** Downloads the project(s) under an s3:// or gs:// prefix into a fresh /tmp/dbtt-models-* directory. */
export async function fetchObjectSource(entry: string, opts: ObjectSourceOptions): Promise<ObjectSource> {
  const variable = opts.variable ?? 'DBT_PROJECT_DIRS';
  const where = `${variable}: ${entry}`;
  const url = parseObjectUrl(entry, variable);
  const root = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), `dbtt-models-${process.pid}-`));
  const cleanup = () => rm(root, { recursive: true, force: true });
  try {
    let count: number;
    try {
      const bucket = await openBucket(url.scheme, url.bucket, opts.objectStores);
      const keys = await bucket.list(url.prefix === '' ? '' : `${url.prefix}/`);
      count = await download(bucket, keys, url.prefix, root, where, opts.concurrency ?? 8);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // I/O failures keep their retryable code; missing buckets and objects are configuration errors.
      if (code === 'CONFIG_ERROR') throw err;
      throw new CodedError(code === 'ARTIFACT_STORE_ERROR' ? 'ARTIFACT_STORE_ERROR' : 'CONFIG_ERROR', `${where}: cannot fetch the project: ${(err as Error).message}`, { cause: err });
    }
    if (count === 0) throw new CodedError('CONFIG_ERROR', `${where}: no objects under this prefix`);
    const projectDirs = scanDownloadedProjects(root);
    if (projectDirs.length === 0) {
      throw new CodedError('CONFIG_ERROR', `${where}: no dbt_project.yml at the prefix root or in its immediate subdirectories (${count} objects downloaded)`);
    }
    return { dir: root, projectDirs, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
