// Object-store clients (s3:// and gs:// artifact stores and project sources): endpoints,
// region and credentials from the standard AWS / Google variables.
import { configError, readBool, readString } from './env-reader.js';
import type { Env } from './env-reader.js';

export interface S3Credentials {
  accessKeyId: string;
  /** A secret: never logged. */
  secretAccessKey: string;
  /** A secret (temporary credentials): never logged. @default undefined */
  sessionToken?: string;
}

export interface S3Config {
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION`. @default us-east-1 */
  region: string;
  /** `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`): a custom S3 endpoint, addressed path-style. @default null (AWS) */
  endpoint: string | null;
  /** `AWS_ALLOW_HTTP`: accept a plain `http://` endpoint. @default false */
  allowHttp: boolean;
  /** Static keys from `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`; null uses the SDK's default chain (IRSA, profiles, instance roles). @default null */
  credentials: S3Credentials | null;
}

export interface GcsConfig {
  /** `STORAGE_EMULATOR_HOST`: a GCS-compatible endpoint used without authentication. @default null (Google, with ADC) */
  endpoint: string | null;
}

export interface ObjectStoreConfig {
  s3: S3Config;
  gcs: GcsConfig;
}

function readS3(env: Env): S3Config {
  const endpoint = readString(env, 'AWS_ENDPOINT_URL') ?? readString(env, 'AWS_ENDPOINT') ?? null;
  const accessKeyId = readString(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = readString(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = readString(env, 'AWS_SESSION_TOKEN');
  let credentials: S3Credentials | null = null;
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  }
  const region = readString(env, 'AWS_REGION') ?? readString(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1';
  return { region, endpoint, allowHttp: readBool(env, 'AWS_ALLOW_HTTP', false), credentials };
}

/**
 * Checks the S3 endpoint when an s3:// location is actually used (dbt may read the same
 * variables for its own purposes, so they are not judged otherwise).
 */
export function checkS3Endpoint(s3: S3Config): void {
  const { endpoint } = s3;
  const name = 'AWS_ENDPOINT_URL (or AWS_ENDPOINT)';
  if (endpoint === null) return;
  if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) throw configError(name, endpoint, 'an http(s):// URL');
  if (/^http:/i.test(endpoint) && !s3.allowHttp) throw configError(name, endpoint, 'an https:// URL (set AWS_ALLOW_HTTP=true to allow plain http)');
}

function readGcs(env: Env): GcsConfig {
  const host = readString(env, 'STORAGE_EMULATOR_HOST');
  if (host === undefined) return { endpoint: null };
  // The Google libraries accept a bare host:port here too.
  return { endpoint: /^https?:\/\//i.test(host) ? host : `http://${host}` };
}

/** Object-store client settings; only used when a gs:// or s3:// location is configured. */
export function readObjectStoreConfig(env: Env): ObjectStoreConfig {
  return { s3: readS3(env), gcs: readGcs(env) };
}
