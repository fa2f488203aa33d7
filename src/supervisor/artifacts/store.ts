// The artifact store: where a run's files go, `<store>/<invocation_id>/<file>`: local paths
// and object stores (gs://, s3://) behind one interface.
import { CodedError } from '../../shared/errors.js';
import type { ObjectStoreConfig } from '../config/object-store-config.js';
import { LocalArtifactStore } from './local-store.js';
import type { RetentionOptions } from './retention.js';
import { ObjectArtifactStore } from './object-store.js';

export interface ArtifactStore {
  /** The store location as configured (a directory, or a URL for object stores). */
  readonly location: string;
  /** Writes (or overwrites) one file of a run; returns its reference (a path, or a bucket key). */
  put(invocationId: string, name: string, content: string): Promise<string>;
  /** Reads a file by the reference put() returned. */
  get(ref: string): Promise<string>;
  /** The reference put(invocationId, name) returns, without writing (reuse state reads it back). */
  refOf?(invocationId: string, name: string): string;
  /** Called once a run's files are all written (retention of local stores). @default nothing */
  finishRun?(invocationId: string): Promise<void>;
}

/** The store for `ARTIFACT_STORE`: a local path, `file://` URL, or `s3://` / `gs://` bucket (needs `objectStores`). */
export function createArtifactStore(location: string, objectStores?: ObjectStoreConfig, retention?: RetentionOptions): ArtifactStore {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return new LocalArtifactStore(location, retention);
  if (scheme === 'file') return new LocalArtifactStore(decodeURIComponent(location.slice('file://'.length)), retention);
  if ((scheme === 's3' || scheme === 'gs') && objectStores) return new ObjectArtifactStore(location, objectStores);
  throw new CodedError('CONFIG_ERROR', `ARTIFACT_STORE ${location}: ${scheme}:// stores need object-store settings; use a local path`);
}

/** File names are fixed by us; this guards against path tricks in invocation ids. */
export function assertSafeSegment(kind: string, value: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(value) || value === '.' || value === '..') throw new TypeError(`${kind} must be a plain file name, got ${JSON.stringify(value)}`);
}
