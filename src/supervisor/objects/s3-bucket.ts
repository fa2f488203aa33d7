// S3 (and S3-compatible: MinIO, moto, R2) bucket client over @aws-sdk/client-s3 v3.
import type * as S3Module from '@aws-sdk/client-s3';
import type { S3Config } from '../config/object-store-config.js';
import { objectError } from './bucket.js';
import type { Bucket } from './bucket.js';

type S3Sdk = typeof S3Module;

function errorName(err: unknown): string {
  return (err as { name?: string; Code?: string }).Code ?? (err as { name?: string }).name ?? '';
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

class S3Bucket implements Bucket {
  readonly scheme = 's3' as const;

  constructor(
    readonly name: string,
    private readonly sdk: S3Sdk,
    private readonly client: S3Module.S3Client,
  ) {}

  private fail(key: string, op: string, err: unknown, missingIsKey: boolean): never {
    const name = errorName(err);
    if (name === 'NoSuchBucket') throw objectError('s3', this.name, key, op, 'no-bucket', err);
    if (missingIsKey && (name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404)) throw objectError('s3', this.name, key, op, 'no-key', err);
    throw objectError('s3', this.name, key, op, 'io', err);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    const ContentType = key.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8';
    try {
      await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.name, Key: key, Body: body, ContentType }));
    } catch (err) {
      this.fail(key, 'put', err, false);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.name, Key: key }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      this.fail(key, 'get', err, true);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new this.sdk.ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      this.fail(prefix, 'list', err, false);
    }
    return keys;
  }
}

/** An S3 bucket client: static keys when configured, else the SDK's default credential chain. */
export async function openS3Bucket(name: string, config: S3Config): Promise<Bucket> {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    region: config.region,
    // A dead endpoint fails (and is retried) instead of hanging an activity; requestTimeout is socket idle time.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
    ...(config.endpoint !== null ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    ...(config.credentials !== null ? { credentials: config.credentials } : {}),
  });
  return new S3Bucket(name, sdk, client);
}
