// Artifact store in an object store bucket: `<prefix>/<invocation_id>/<name>` objects in
// s3://bucket/prefix or gs://bucket/prefix. put() returns the bucket-relative key (no scheme,
// as the Rust worker does); get() takes that key or a full `s3://bucket/key` URL.
import { CodedError } from '../../shared/errors.js';
import type { ObjectStoreConfig } from '../config/object-store-config.js';
import { checkS3Endpoint } from '../config/object-store-config.js';
import { openBucket } from '../objects/bucket.js';
import type { Bucket } from '../objects/bucket.js';
import { isObjectUrl, joinKey, parseObjectUrl } from '../objects/object-url.js';
import type { ObjectUrl } from '../objects/object-url.js';
import { assertSafeSegment } from './store.js';
import type { ArtifactStore } from './store.js';

export class ObjectArtifactStore implements ArtifactStore {
  readonly location: string;
  private readonly url: ObjectUrl;
  private bucket: Promise<Bucket> | null = null;

  /** Validates the location and endpoint now (startup); the client is created on first use. */
  constructor(
    location: string,
    private readonly config: ObjectStoreConfig,
  ) {
    this.url = parseObjectUrl(location, 'ARTIFACT_STORE');
    if (this.url.scheme === 's3') checkS3Endpoint(config.s3);
    this.location = location;
  }

  private open(): Promise<Bucket> {
    if (this.bucket === null) {
      const opening = openBucket(this.url.scheme, this.url.bucket, this.config);
      // A failed open (e.g. the SDK could not load) is retried on the next call.
      opening.catch(() => {
        if (this.bucket === opening) this.bucket = null;
      });
      this.bucket = opening;
    }
    return this.bucket;
  }

  async put(invocationId: string, name: string, content: string): Promise<string> {
    assertSafeSegment('invocation id', invocationId);
    assertSafeSegment('artifact name', name);
    const key = joinKey(this.url.prefix, invocationId, name);
    await (await this.open()).put(key, content);
    return key;
  }

  refOf(invocationId: string, name: string): string {
    assertSafeSegment('invocation id', invocationId);
    assertSafeSegment('artifact name', name);
    return joinKey(this.url.prefix, invocationId, name);
  }

  async get(ref: string): Promise<string> {
    const key = this.keyOf(ref);
    const bytes = await (await this.open()).get(key);
    return bytes.toString('utf8');
  }

  /** The bucket key behind a ref: `prefix/inv/file`, or `<scheme>://<this bucket>/prefix/inv/file`. */
  private keyOf(ref: string): string {
    const trimmed = ref.trim();
    if (isObjectUrl(trimmed)) {
      const other = parseObjectUrl(trimmed, 'artifact ref');
      if (other.scheme !== this.url.scheme || other.bucket !== this.url.bucket) {
        throw new CodedError('ARTIFACT_NOT_FOUND', `${ref} is not in the artifact store ${this.location} (bucket ${this.url.scheme}://${this.url.bucket})`);
      }
      if (other.prefix === '') throw new CodedError('ARTIFACT_NOT_FOUND', `${ref} names a bucket, not an artifact`);
      return other.prefix;
    }
    const key = trimmed.replace(/^\/+/, '');
    if (key === '' || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(key)) {
      throw new CodedError('ARTIFACT_NOT_FOUND', `${JSON.stringify(ref)} is not a key of the artifact store ${this.location}`);
    }
    return key;
  }
}
