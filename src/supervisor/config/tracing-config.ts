// DBT_EXPORT_TO_OTLP and the standard OTEL_* variables of the trace exporter (OTLP over HTTP).
import { configError, readBool, readEnum, readInt, readString } from './env-reader.js';
import type { Env } from './env-reader.js';
import { parseOtlpHeaders } from './metrics-config.js';

export interface TracingConfig {
  /** `DBT_EXPORT_TO_OTLP`: export one trace per run. @default false */
  enabled: boolean;
  /** Full URL spans are POSTed to. @default http://localhost:4318/v1/traces */
  url: string;
  /** `http/protobuf` or `http/json`. @default http/protobuf */
  protocol: 'http/protobuf' | 'http/json';
  /** Request headers (often credentials: secret values). @default {} */
  headers: Record<string, string>;
  /** Timeout of one export request. @default 10000 */
  timeoutMs: number;
  /** `service.name` of the resource. @default dbt-temporal */
  serviceName: string;
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';

function checkUrl(name: string, url: string): string {
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw configError(name, url, 'an http:// or https:// URL');
  return url;
}

/** The traces URL: the signal-specific endpoint as is, else the base endpoint + `/v1/traces`. */
function tracesUrl(env: Env): string {
  const specific = readString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (specific !== undefined) return checkUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific);
  const base = readString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = base === undefined ? DEFAULT_ENDPOINT : checkUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base);
  return `${url.replace(/\/+$/, '')}/v1/traces`;
}

/** The signal-specific variable wins over the general one (OTel specification). */
function either(specific: [string, string | undefined], general: [string, string | undefined]): Env {
  if (specific[1] !== undefined) return { [specific[0]]: specific[1], name: specific[0] };
  return general[1] === undefined ? {} : { [general[0]]: general[1], name: general[0] };
}

function protocol(env: Env): TracingConfig['protocol'] {
  const set = either(['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', readString(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')], ['OTEL_EXPORTER_OTLP_PROTOCOL', readString(env, 'OTEL_EXPORTER_OTLP_PROTOCOL')]);
  return set['name'] === undefined ? 'http/protobuf' : readEnum(set, set['name'], ['http/protobuf', 'http/json'] as const, 'http/protobuf');
}

function timeoutMs(env: Env): number {
  const set = either(['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', readString(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT')], ['OTEL_EXPORTER_OTLP_TIMEOUT', readString(env, 'OTEL_EXPORTER_OTLP_TIMEOUT')]);
  return set['name'] === undefined ? 10_000 : readInt(set, set['name'], 10_000, 1, 600_000);
}

/** Reads the tracing variables; without DBT_EXPORT_TO_OTLP only the switch is validated. */
export function readTracingConfig(env: Env): TracingConfig {
  const enabled = readBool(env, 'DBT_EXPORT_TO_OTLP', false);
  const serviceName = readString(env, 'OTEL_SERVICE_NAME') ?? 'dbt-temporal';
  if (!enabled) return { enabled, url: `${DEFAULT_ENDPOINT}/v1/traces`, protocol: 'http/protobuf', headers: {}, timeoutMs: 10_000, serviceName };
  return {
    enabled,
    url: tracesUrl(env),
    protocol: protocol(env),
    // Signal-specific headers win per key, as the OTel specification says.
    headers: {
      ...parseOtlpHeaders(readString(env, 'OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...parseOtlpHeaders(readString(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'), 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    timeoutMs: timeoutMs(env),
    serviceName,
  };
}
