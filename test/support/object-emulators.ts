// Real object-store emulators on loopback for tests: moto (S3 API) and gcp-storage-emulator
// (GCS API), both from the project's Python venv.
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Storage } from '@google-cloud/storage';
import { execa } from 'execa';
import { readObjectStoreConfig } from '../../src/supervisor/config/object-store-config.js';
import type { ObjectStoreConfig } from '../../src/supervisor/config/object-store-config.js';
import { REPO_ROOT } from './paths.js';

export interface Emulator {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** The environment a worker needs to reach this emulator. */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** Writes one object directly (not through the code under test). */
  upload(bucket: string, key: string, body: string | Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** Every file under `dir`, relative paths, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

/** Uploads every file of a local directory under `prefix/`. */
export async function uploadDir(emulator: Emulator, bucket: string, prefix: string, dir: string): Promise<string[]> {
  const files = await listFiles(dir);
  for (const f of files) await emulator.upload(bucket, prefix === '' ? f : `${prefix}/${f}`, await readFile(join(dir, f)));
  return files;
}

/** Test-only S3 credentials: moto accepts any. */
export const S3_TEST_ENV = { AWS_ACCESS_KEY_ID: 'testing-key-id', AWS_SECRET_ACCESS_KEY: 'testing-secret-key', AWS_REGION: 'us-east-1', AWS_ALLOW_HTTP: 'true' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts `command` and waits until `endpoint` answers HTTP (any status). */
async function launch(command: string, args: string[], endpoint: string, probePath: string) {
  let output = '';
  const child = execa(command, args, { reject: false, all: true, buffer: false, env: { PYTHONUNBUFFERED: '1' } });
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  void child.then(() => (exited = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`${command} exited during start-up:\n${output}`);
    try {
      await fetch(`${endpoint}${probePath}`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${command} did not answer on ${endpoint}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child;
    clearTimeout(timer);
  };
}

/** moto's S3 API server on a free loopback port. */
export async function startS3Emulator(): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = await launch(`${REPO_ROOT}.venv/bin/moto_server`, ['-H', '127.0.0.1', '-p', String(port)], endpoint, '/');
  const env = { ...S3_TEST_ENV, AWS_ENDPOINT_URL: endpoint };
  const client = new S3Client({ region: env.AWS_REGION, endpoint, forcePathStyle: true, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } });
  return {
    endpoint,
    env,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async upload(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

/** gcp-storage-emulator (in memory) on a free loopback port. */
export async function startGcsEmulator(): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = await launch(`${REPO_ROOT}.venv/bin/gcp-storage-emulator`, ['start', '--host', '127.0.0.1', '--port', String(port), '--in-memory', '--quiet'], endpoint, '/storage/v1/b');
  const storage = new Storage({ apiEndpoint: endpoint, projectId: 'test-project' });
  return {
    endpoint,
    env: { STORAGE_EMULATOR_HOST: endpoint },
    async createBucket(name) {
      await storage.createBucket(name);
    },
    async upload(bucket, key, body) {
      await storage.bucket(bucket).file(key).save(body, { resumable: false });
    },
    stop,
  };
}

/** Object-store settings for in-process tests, read through the real config module. */
export function emulatorConfig(...emulators: Emulator[]): ObjectStoreConfig {
  return readObjectStoreConfig(Object.assign({}, ...emulators.map((e) => e.env)) as Record<string, string>);
}
