// TEMPORAL_* variables: server address, namespace, queue, Cloud auth (API key, mTLS),
// deployment versioning, static search attributes and priority scheduling.
import { readFileSync } from 'node:fs';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from '../../shared/names.js';
import { PRIORITY_WEIGHTS } from '../../shared/priority.js';
import type { PriorityWeight } from '../../shared/priority.js';
import { configError, readBool, readEnum, readString } from './env-reader.js';
import type { Env } from './env-reader.js';

export interface TemporalTlsConfig {
  /** PEM client certificate and key (mTLS); null for server-authenticated TLS only. */
  clientCertPair: { crt: Buffer; key: Buffer } | null;
  /** PEM CA bundle to trust instead of the system roots (private CAs, tests). */
  serverRootCACertificate: Buffer | null;
  /** Server name expected in the server certificate, when it differs from the address host. */
  serverNameOverride: string | null;
}

export interface TemporalConfig {
  /** `host:port` of the frontend (scheme removed). @default localhost:7233 */
  address: string;
  /** @default default */
  namespace: string;
  /** @default dbt-tasks */
  taskQueue: string;
  /** Bearer API key (Temporal Cloud); a secret. Enables TLS. @default null */
  apiKey: string | null;
  /** TLS settings; null means plaintext. On when an API key, a cert pair or `https://` is given. */
  tls: TemporalTlsConfig | null;
  /** Worker deployment versioning (Pinned) under this deployment name. @default null */
  deploymentName: string | null;
  /** Build id of this worker's deployment version. @default dbt-temporal-<package version> */
  buildId: string;
  /** Static Keyword search attributes merged into every run (static values win). @default {} */
  searchAttributes: Record<string, string>;
  /** Priority and fairness keys on node activities. @default false */
  prioritySchedulingEnabled: boolean;
  /** Weight the critical path by node durations measured in earlier runs (with priority scheduling). @default true */
  priorityHistory: boolean;
  /** What weighs a node on that path: its duration, or a cost figure its adapter reported (node-cost.ts). @default duration */
  priorityWeight: PriorityWeight;
}

/** Strips an http(s):// scheme: the SDK wants host:port. */
export function normalizeAddress(raw: string): string {
  return raw.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
}

function readPem(env: Env, name: string): Buffer | null {
  const path = readString(env, name);
  if (path === undefined) return null;
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (err) {
    throw configError(name, path, `a readable PEM file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  // Only the header is checked; the content (possibly a private key) is never echoed.
  if (!content.toString('latin1').includes('-----BEGIN ')) throw configError(name, path, 'a PEM file (no -----BEGIN line found)');
  return content;
}

function readSearchAttributes(env: Env): Record<string, string> {
  const raw = readString(env, 'TEMPORAL_SEARCH_ATTRIBUTES');
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError('TEMPORAL_SEARCH_ATTRIBUTES', raw, 'a JSON object of string values, e.g. {"env":"prod"}');
  }
  const ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    && Object.values(parsed).every((v) => typeof v === 'string');
  if (!ok) throw configError('TEMPORAL_SEARCH_ATTRIBUTES', raw, 'a JSON object of string values, e.g. {"env":"prod"}');
  return parsed as Record<string, string>;
}

function readTls(env: Env, address: string, apiKey: string | null): TemporalTlsConfig | null {
  const crt = readPem(env, 'TEMPORAL_TLS_CERT');
  const key = readPem(env, 'TEMPORAL_TLS_KEY');
  if ((crt === null) !== (key === null)) {
    const [set, missing] = crt ? ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] : ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT'];
    throw configError(missing, '', `set together with ${set} (mTLS needs both the certificate and the key)`);
  }
  const ca = readPem(env, 'TEMPORAL_TLS_CA');
  const serverName = readString(env, 'TEMPORAL_TLS_SERVER_NAME') ?? null;
  const https = /^https:\/\//i.test(address);
  // TEMPORAL_TLS=false: plain text even with an API key (a self-hosted server without TLS);
  // TEMPORAL_TLS=true: TLS with the system CAs and nothing else set.
  const forced = readString(env, 'TEMPORAL_TLS') === undefined ? null : readBool(env, 'TEMPORAL_TLS', false);
  if (forced === false) {
    if (crt || ca) throw configError('TEMPORAL_TLS', 'false', 'true or unset when TEMPORAL_TLS_CERT or TEMPORAL_TLS_CA is set');
    return null;
  }
  if (!crt && !apiKey && !ca && !serverName && !https && forced !== true) return null;
  return { clientCertPair: crt && key ? { crt, key } : null, serverRootCACertificate: ca, serverNameOverride: serverName };
}

/** Reads the TEMPORAL_* variables. */
export function readTemporalConfig(env: Env, packageVersion: string): TemporalConfig {
  const rawAddress = readString(env, 'TEMPORAL_ADDRESS') ?? 'localhost:7233';
  const address = normalizeAddress(rawAddress);
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(address)) {
    throw configError('TEMPORAL_ADDRESS', rawAddress, 'host:port, optionally with an http:// or https:// scheme');
  }
  const namespace = readString(env, 'TEMPORAL_NAMESPACE') ?? DEFAULT_NAMESPACE;
  const taskQueue = readString(env, 'TEMPORAL_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE;
  const apiKey = readString(env, 'TEMPORAL_API_KEY') ?? null;
  return {
    address: /:\d+$/.test(address) ? address : `${address}:7233`,
    namespace,
    taskQueue,
    apiKey,
    tls: readTls(env, rawAddress, apiKey),
    deploymentName: readString(env, 'TEMPORAL_DEPLOYMENT_NAME') ?? null,
    buildId: readString(env, 'TEMPORAL_BUILD_ID') ?? `dbt-temporal-${packageVersion}`,
    searchAttributes: readSearchAttributes(env),
    prioritySchedulingEnabled: readBool(env, 'TEMPORAL_PRIORITY_SCHEDULING', false),
    priorityHistory: readBool(env, 'TEMPORAL_PRIORITY_HISTORY', true),
    priorityWeight: readEnum(env, 'TEMPORAL_PRIORITY_WEIGHT', PRIORITY_WEIGHTS, 'duration', { rows: 'rows_affected', bytes: 'bytes_processed' }),
  };
}
