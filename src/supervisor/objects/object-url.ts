// `s3://bucket/prefix` and `gs://bucket/prefix` locations: parsing and key arithmetic.
import { CodedError } from '../../shared/errors.js';

export type ObjectScheme = 's3' | 'gs';

export interface ObjectUrl {
  scheme: ObjectScheme;
  bucket: string;
  /** Key prefix without leading or trailing slashes; '' for the bucket root. */
  prefix: string;
}

const OBJECT_URL = /^(s3|gs):\/\/([^/\s]+)(?:\/(.*))?$/i;

export function isObjectUrl(location: string): boolean {
  return OBJECT_URL.test(location);
}

/** Parses `s3://bucket[/prefix]` / `gs://bucket[/prefix]`; `what` names the setting in errors. */
export function parseObjectUrl(location: string, what: string): ObjectUrl {
  const m = OBJECT_URL.exec(location);
  if (!m) throw new CodedError('CONFIG_ERROR', `${what} must be s3://bucket[/prefix] or gs://bucket[/prefix], got ${JSON.stringify(location)}`);
  const prefix = (m[3] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new CodedError('CONFIG_ERROR', `${what}: ${location} must not contain . or .. path segments`);
  }
  return { scheme: (m[1] as string).toLowerCase() as ObjectScheme, bucket: m[2] as string, prefix };
}

/** Joins key segments with single slashes. */
export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** `s3://bucket/key`, for messages. */
export function formatObjectUrl(scheme: ObjectScheme, bucket: string, key: string): string {
  return `${scheme}://${bucket}/${key}`;
}
