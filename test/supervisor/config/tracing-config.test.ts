// DBT_EXPORT_TO_OTLP and the standard OTEL_EXPORTER_OTLP_* variables of the trace exporter.
import { describe, expect, it } from 'vitest';
import { readTracingConfig } from '../../../src/supervisor/config/tracing-config.js';
import { dbtProcessEnv, secretValues } from '../../../src/supervisor/config/secrets.js';

describe('tracing configuration', () => {
  it('is off by default and validates nothing else then', () => {
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ enabled: false, serviceName: 'dbt-temporal' });
  });

  it('defaults to OTLP/HTTP protobuf on localhost:4318', () => {
    expect(readTracingConfig({ DBT_EXPORT_TO_OTLP: 'true' })).toEqual({
      enabled: true, url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', headers: {}, timeoutMs: 10_000, serviceName: 'dbt-temporal',
    });
  });

  it('lets the signal-specific variables win over the general ones', () => {
    const c = readTracingConfig({
      DBT_EXPORT_TO_OTLP: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3', OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700', OTEL_SERVICE_NAME: 'etl',
    });
    expect(c).toEqual({ enabled: true, url: 'http://c:4318/v1/traces', protocol: 'http/json', headers: { a: '1', b: '3' }, timeoutMs: 700, serviceName: 'etl' });
    expect(readTracingConfig({ DBT_EXPORT_TO_OTLP: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/x' }).url).toBe('https://t/x');
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_TIMEOUT: '0' }, 'OTEL_EXPORTER_OTLP_TIMEOUT'],
    [{ OTEL_EXPORTER_OTLP_HEADERS: 'no-pair' }, 'OTEL_EXPORTER_OTLP_HEADERS'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => readTracingConfig({ DBT_EXPORT_TO_OTLP: 'true', ...env })).toThrow(name);
  });

  it('treats the OTLP headers as worker-only secrets', () => {
    const env = { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer abcdef', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-key=zyxwvu', PATH: '/bin' };
    expect(secretValues(env)).toEqual(expect.arrayContaining(['Bearer abcdef', 'zyxwvu']));
    expect(dbtProcessEnv(env)).toEqual({ PATH: '/bin' });
  });
});
