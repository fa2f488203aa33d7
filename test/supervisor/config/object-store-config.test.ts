// Object-store client settings: the standard AWS / Google variables, checked only when used.
import { describe, expect, it } from 'vitest';
import { createArtifactStore } from '../../../src/supervisor/artifacts/store.js';
import { loadConfig } from '../../../src/supervisor/config/config.js';
import { checkS3Endpoint, readObjectStoreConfig } from '../../../src/supervisor/config/object-store-config.js';

describe('object-store configuration', () => {
  it('reads static S3 keys, a session token and the region', () => {
    const { s3 } = readObjectStoreConfig({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'shh-secret', AWS_SESSION_TOKEN: 'tok-123', AWS_DEFAULT_REGION: 'eu-west-1' });
    expect(s3).toEqual({ region: 'eu-west-1', endpoint: null, allowHttp: false, credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'shh-secret', sessionToken: 'tok-123' } });
    expect(readObjectStoreConfig({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-1' }).s3.region).toBe('ap-south-1');
  });

  it('leaves credentials to the SDK default chain unless both keys are set', () => {
    expect(readObjectStoreConfig({ AWS_ACCESS_KEY_ID: 'AKIA1' }).s3.credentials).toBeNull();
  });

  it('prefers AWS_ENDPOINT_URL over AWS_ENDPOINT', () => {
    expect(readObjectStoreConfig({ AWS_ENDPOINT: 'https://a.example', AWS_ENDPOINT_URL: 'https://b.example' }).s3.endpoint).toBe('https://b.example');
    expect(readObjectStoreConfig({ AWS_ENDPOINT: 'https://a.example' }).s3.endpoint).toBe('https://a.example');
  });

  it('accepts a plain http endpoint only with AWS_ALLOW_HTTP', () => {
    expect(() => checkS3Endpoint(readObjectStoreConfig({ AWS_ENDPOINT_URL: 'http://minio:9000' }).s3)).toThrow(/AWS_ALLOW_HTTP=true/);
    expect(() => checkS3Endpoint(readObjectStoreConfig({ AWS_ENDPOINT_URL: 'http://minio:9000', AWS_ALLOW_HTTP: 'true' }).s3)).not.toThrow();
    expect(() => checkS3Endpoint(readObjectStoreConfig({ AWS_ENDPOINT_URL: 'minio:9000' }).s3)).toThrow(/must be an http\(s\):\/\/ URL/);
  });

  it('judges the S3 endpoint only when an s3:// store is used, at startup', () => {
    const env = { AWS_ENDPOINT_URL: 'http://minio:9000', WRITE_ARTIFACTS: 'true' };
    const local = loadConfig(env, '/');
    expect(createArtifactStore(local.artifacts.store, local.artifacts.objectStores).location).toBe('/tmp/dbt-artifacts');
    const s3 = loadConfig({ ...env, ARTIFACT_STORE: 's3://bucket/p' }, '/');
    expect(() => createArtifactStore(s3.artifacts.store, s3.artifacts.objectStores)).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR' }));
  });

  it('turns a bare STORAGE_EMULATOR_HOST into an http URL', () => {
    expect(readObjectStoreConfig({ STORAGE_EMULATOR_HOST: 'localhost:9023' }).gcs.endpoint).toBe('http://localhost:9023');
    expect(readObjectStoreConfig({}).gcs.endpoint).toBeNull();
  });

  it('counts the AWS secret key and session token as secrets', () => {
    const c = loadConfig({ AWS_SECRET_ACCESS_KEY: 'shh-secret', AWS_SESSION_TOKEN: 'tok-123' }, '/');
    expect(c.secrets).toEqual(expect.arrayContaining(['shh-secret', 'tok-123']));
  });
});
