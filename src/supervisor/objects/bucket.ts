// One bucket of an object store (S3 or GCS) behind a small interface; the SDKs are loaded on
// first use, so a worker without object stores never pays for them.
import { CodedError } from '../../shared/errors.js';
import type { ObjectStoreConfig } from '../config/object-store-config.js';
import { checkS3Endpoint } from '../config/object-store-config.js';
import { formatObjectUrl } from './object-url.js';
import type { ObjectScheme } from './object-url.js';

export interface Bucket {
  readonly scheme: ObjectScheme;
  readonly name: string;
  /** Writes (or replaces) an object. */
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** Reads a whole object; a missing bucket or key is ARTIFACT_NOT_FOUND. */
  get(key: string): Promise<Buffer>;
  /** Keys of every object under `prefix` (as given: end it with '/' for a directory). */
  list(prefix: string): Promise<string[]>;
}

/** Opens a bucket client; endpoint settings are checked before any SDK is loaded. */
export async function openBucket(scheme: ObjectScheme, name: string, config: ObjectStoreConfig): Promise<Bucket> {
  if (scheme === 's3') {
    checkS3Endpoint(config.s3);
    const { openS3Bucket } = await import('./s3-bucket.js');
    return openS3Bucket(name, config.s3);
  }
  const { openGcsBucket } = await import('./gcs-bucket.js');
  return openGcsBucket(name, config.gcs);
}

/** What went wrong with one object, classified for callers and Temporal retries. */
export function objectError(scheme: ObjectScheme, bucket: string, key: string, op: string, kind: 'no-key' | 'no-bucket' | 'io', err: unknown): CodedError {
  const where = formatObjectUrl(scheme, bucket, key);
  const cause = err instanceof Error ? `${err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}` : String(err);
  if (kind === 'no-key') return new CodedError('ARTIFACT_NOT_FOUND', `${where}: no such object`, { cause: err });
  if (kind === 'no-bucket') return new CodedError('ARTIFACT_NOT_FOUND', `${where}: bucket ${bucket} does not exist`, { cause: err });
  return new CodedError('ARTIFACT_STORE_ERROR', `${where}: ${op} failed: ${cause}`, { cause: err });
}
