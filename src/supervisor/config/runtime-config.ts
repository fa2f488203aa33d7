// Process-level variables: health endpoint and file, log levels, dbt telemetry switches.
import { configError, readBool, readEnum, readPort, readString } from './env-reader.js';
import type { Env } from './env-reader.js';

export interface HealthConfig {
  /** Port of the HTTP health/readiness/metrics server; null disables it. @default null */
  port: number | null;
  /** Canary file touched every 15 s; defaults to /tmp/health when `port` is set. @default null */
  file: string | null;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export interface LoggingConfig {
  /** Level of the worker's JSON logs. @default info */
  level: (typeof LOG_LEVELS)[number];
  /** Filter for the Temporal Core (Rust) logs forwarded into ours, env-filter syntax. @default null (warn) */
  coreFilter: string | null;
}

export interface TelemetryConfig {
  /** Serve the Nexus service `dbt` (operation `dbt_run`) on the task queue. @default false */
  nexusEnabled: boolean;
  /** One OpenTelemetry trace per run over OTLP/HTTP (details in TracingConfig). @default false */
  dbtExportToOtlp: boolean;
  /** dbt's console log level, passed to dbt. @default info */
  dbtLogLevel: string;
  /** dbt's console log format, passed to dbt. @default default */
  dbtLogFormat: string;
}

export function readHealthConfig(env: Env): HealthConfig {
  const port = readPort(env, 'HEALTH_PORT');
  const file = readString(env, 'HEALTH_FILE') ?? (port !== null ? '/tmp/health' : null);
  return { port, file };
}

const FILTER_LEVEL = '(trace|debug|info|warn|error|off)';
const FILTER_DIRECTIVE = new RegExp(`^(${FILTER_LEVEL}|[A-Za-z_][A-Za-z0-9_:]*(=${FILTER_LEVEL})?)$`, 'i');

export function readLoggingConfig(env: Env): LoggingConfig {
  const coreFilter = readString(env, 'RUST_LOG') ?? null;
  if (coreFilter !== null && !coreFilter.split(',').every((d) => FILTER_DIRECTIVE.test(d.trim()))) {
    throw configError('RUST_LOG', coreFilter, 'comma-separated directives like "warn" or "temporal_sdk_core=info"');
  }
  return { level: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'), coreFilter };
}

export function readTelemetryConfig(env: Env): TelemetryConfig {
  return {
    nexusEnabled: readBool(env, 'NEXUS_ENABLED', false),
    dbtExportToOtlp: readBool(env, 'DBT_EXPORT_TO_OTLP', false),
    dbtLogLevel: readEnum(env, 'DBT_LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'none'] as const, 'info'),
    dbtLogFormat: readEnum(env, 'DBT_LOG_FORMAT', ['text', 'json', 'default', 'debug'] as const, 'default'),
  };
}
