// Artifact store on the local filesystem: `<root>/<invocation_id>/<name>`, absolute paths back.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertSafeSegment } from './store.js';
import type { ArtifactStore } from './store.js';

export class LocalArtifactStore implements ArtifactStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
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

  get(ref: string): Promise<string> {
    return readFile(resolve(ref), 'utf8');
  }
}
