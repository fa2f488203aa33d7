// TEMPORAL_METRICS_* variables: where the Temporal SDK's own metrics are exported.
import { configError, readEnum, readHostPort, readString, secretConfigError } from './env-reader.js';
import type { Env } from './env-reader.js';

export interface OtlpMetricsConfig {
  /** Collector URL (`TEMPORAL_METRICS_OTLP_URL`, else `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  url: string;
  /** @default grpc */
  protocol: 'grpc' | 'http';
  /** Request headers (often credentials: secret values). @default {} */
  headers: Record<string, string>;
}

export interface MetricsConfig {
  /** `none`, `prometheus` (SDK scrape endpoint) or `otlp` (alias `otel`). @default none */
  exporter: 'none' | 'prometheus' | 'otlp';
  /** Bind address of the SDK's Prometheus endpoint when exporter is prometheus. @default 0.0.0.0:9464 */
  prometheusAddr: string;
  /** Set when exporter is otlp. */
  otlp: OtlpMetricsConfig | null;
}

/** `k=v,k=v`; a malformed pair is fatal. Values are never echoed (they are usually tokens). */
export function parseOtlpHeaders(raw: string | undefined, name = 'TEMPORAL_METRICS_OTLP_HEADERS'): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined) return headers;
  raw.split(',').forEach((pair, i) => {
    if (pair.trim() === '') return;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (eq <= 0 || key === '' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) {
      throw secretConfigError(name, `comma-separated key=value pairs; entry ${i + 1} is not`);
    }
    headers[key] = pair.slice(eq + 1).trim();
  });
  return headers;
}

/** Reads the TEMPORAL_METRICS_* variables. */
export function readMetricsConfig(env: Env): MetricsConfig {
  const exporter = readEnum(env, 'TEMPORAL_METRICS_EXPORTER', ['none', 'prometheus', 'otlp'] as const, 'none', { otel: 'otlp' });
  const prometheusAddr = readHostPort(env, 'TEMPORAL_METRICS_PROMETHEUS_ADDR', '0.0.0.0:9464');
  const protocol = readEnum(env, 'TEMPORAL_METRICS_OTLP_PROTOCOL', ['grpc', 'http'] as const, 'grpc');
  const headers = parseOtlpHeaders(readString(env, 'TEMPORAL_METRICS_OTLP_HEADERS'));
  if (exporter !== 'otlp') return { exporter, prometheusAddr, otlp: null };
  const explicitUrl = readString(env, 'TEMPORAL_METRICS_OTLP_URL');
  const url = explicitUrl ?? readString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (url === undefined) {
    throw configError('TEMPORAL_METRICS_OTLP_URL', '', 'set (or OTEL_EXPORTER_OTLP_ENDPOINT) when TEMPORAL_METRICS_EXPORTER=otlp');
  }
  const urlName = explicitUrl !== undefined ? 'TEMPORAL_METRICS_OTLP_URL' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  if (!/^(https?|grpcs?):\/\/[^\s/]+/i.test(url)) throw configError(urlName, url, 'an http://, https://, grpc:// or grpcs:// URL');
  return { exporter, prometheusAddr, otlp: { url, protocol, headers } };
}
