// Artifact store on the local filesystem: `<root>/<invocation_id>/<name>`, absolute paths back.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CodedError } from '../../shared/errors.js';
import { assertSafeSegment } from './store.js';
import type { ArtifactStore } from './store.js';
import { pruneRuns } from './retention.js';
import type { RetentionOptions } from './retention.js';

export class LocalArtifactStore implements ArtifactStore {
  readonly location: string;

  constructor(root: string, private readonly retention: RetentionOptions = { maxRuns: null, maxAgeDays: null }) {
    this.location = resolve(root);
  }

  async finishRun(invocationId: string): Promise<void> {
    await pruneRuns(this.location, this.retention, invocationId);
  }

  async put(invocationId: string, name: string, content: string): Promise<string> {
    assertSafeSegment('invocation id', invocationId);
    assertSafeSegment('artifact name', name);
    const dir = join(this.location, invocationId);
    await mkdir(dir, { recursive: true });
    const path = join(dir, name);
    // Write then rename, so a reader never sees half a file.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, content, 'utf8');
    await rename(partial, path);
    return path;
  }

  refOf(invocationId: string, name: string): string {
    assertSafeSegment('invocation id', invocationId);
    assertSafeSegment('artifact name', name);
    return join(this.location, invocationId, name);
  }

  /**
   * `ref` is what put() returned (an absolute path in the store) or a path relative to the store;
   * a ref outside the store, or no file there, is ARTIFACT_NOT_FOUND (as in object stores).
   */
  async get(ref: string): Promise<string> {
    const path = isAbsolute(ref) ? resolve(ref) : resolve(this.location, ref);
    const rel = relative(this.location, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new CodedError('ARTIFACT_NOT_FOUND', `${ref} is not inside the artifact store ${this.location}`);
    }
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      const missing = ['ENOENT', 'ENOTDIR', 'EISDIR'].includes(String((err as NodeJS.ErrnoException).code));
      if (missing) throw new CodedError('ARTIFACT_NOT_FOUND', `${ref}: no such artifact in ${this.location}`, { cause: err });
      throw err;
    }
  }
}
