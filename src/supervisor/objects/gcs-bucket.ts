// Google Cloud Storage bucket client over @google-cloud/storage 7.x (Application Default
// Credentials; an emulator endpoint is used without authentication).
import type { Bucket as GcsSdkBucket } from '@google-cloud/storage';
import type { GcsConfig } from '../config/object-store-config.js';
import { objectError } from './bucket.js';
import type { Bucket } from './bucket.js';

function status(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

class GcsBucket implements Bucket {
  readonly scheme = 'gs' as const;

  constructor(
    readonly name: string,
    private readonly bucket: GcsSdkBucket,
  ) {}

  /** A 404 means a missing bucket for writes and listings; for reads, whichever is missing. */
  private async fail(key: string, op: string, err: unknown, missingIsKey: boolean): Promise<never> {
    if (status(err) === 404) {
      const bucketExists = missingIsKey ? await this.bucket.exists().then(([e]) => e, () => true) : false;
      throw objectError('gs', this.name, key, op, bucketExists ? 'no-key' : 'no-bucket', err);
    }
    throw objectError('gs', this.name, key, op, 'io', err);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    const contentType = key.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8';
    try {
      // One request (no resumable session): artifacts and project files are small.
      await this.bucket.file(key).save(typeof body === 'string' ? body : Buffer.from(body), { resumable: false, contentType });
    } catch (err) {
      return this.fail(key, 'put', err, false);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const [content] = await this.bucket.file(key).download();
      return content;
    } catch (err) {
      return this.fail(key, 'get', err, true);
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const [files] = await this.bucket.getFiles({ prefix, autoPaginate: true });
      return files.map((f) => f.name);
    } catch (err) {
      return this.fail(prefix, 'list', err, false);
    }
  }
}

/** A GCS bucket client: ADC against Google, or an emulator when STORAGE_EMULATOR_HOST is set. */
export async function openGcsBucket(name: string, config: GcsConfig): Promise<Bucket> {
  const { Storage } = await import('@google-cloud/storage');
  // An emulator needs no credentials; the project id is only a placeholder there.
  const storage = config.endpoint !== null ? new Storage({ apiEndpoint: config.endpoint, projectId: 'dbt-temporal-emulator' }) : new Storage();
  return new GcsBucket(name, storage.bucket(name));
}
