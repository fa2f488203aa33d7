// Every configuration variable: a valid value takes effect, an invalid one is a CONFIG_ERROR
// naming the variable, the value and what is accepted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/supervisor/config/config.js';
import type { Config } from '../../../src/supervisor/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PEM = join(dir, 'cert.pem');
writeFileSync(PEM, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const NOT_PEM = join(dir, 'plain.txt');
writeFileSync(NOT_PEM, 'hello');

const load = (env: Record<string, string>): Config => loadConfig(env, dir);

function configError(env: Record<string, string>): Error {
  try {
    load(env);
  } catch (err) {
    expect((err as { code?: string }).code).toBe('CONFIG_ERROR');
    return err as Error;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

// [variable, valid value, read back from the config, expected]
const VALID: Array<[string, string, (c: Config) => unknown, unknown]> = [
  ['TEMPORAL_ADDRESS', 'http://temporal.internal:7233', (c) => c.temporal.address, 'temporal.internal:7233'],
  ['TEMPORAL_NAMESPACE', 'ns.acct', (c) => c.temporal.namespace, 'ns.acct'],
  ['TEMPORAL_TASK_QUEUE', 'q1', (c) => c.temporal.taskQueue, 'q1'],
  ['TEMPORAL_API_KEY', 'key-123456', (c) => [c.temporal.apiKey, c.temporal.tls !== null], ['key-123456', true]],
  ['TEMPORAL_TLS_CA', PEM, (c) => c.temporal.tls?.serverRootCACertificate?.toString(), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
  ['TEMPORAL_TLS_SERVER_NAME', 'temporal.test', (c) => c.temporal.tls?.serverNameOverride, 'temporal.test'],
  ['TEMPORAL_DEPLOYMENT_NAME', 'dbt', (c) => c.temporal.deploymentName, 'dbt'],
  ['TEMPORAL_BUILD_ID', 'v42', (c) => c.temporal.buildId, 'v42'],
  ['TEMPORAL_SEARCH_ATTRIBUTES', '{"env":"test"}', (c) => c.temporal.searchAttributes, { env: 'test' }],
  ['TEMPORAL_PRIORITY_SCHEDULING', 'true', (c) => c.temporal.prioritySchedulingEnabled, true],
  ['TEMPORAL_PRIORITY_WEIGHT', 'bytes', (c) => c.temporal.priorityWeight, 'bytes_processed'],
  ['TEMPORAL_METRICS_EXPORTER', 'prometheus', (c) => c.metrics.exporter, 'prometheus'],
  ['TEMPORAL_METRICS_PROMETHEUS_ADDR', '127.0.0.1:9999', (c) => c.metrics.prometheusAddr, '127.0.0.1:9999'],
  ['TEMPORAL_METRICS_OTLP_PROTOCOL', 'http', (c) => c.metrics.exporter, 'none'],
  ['TEMPORAL_METRICS_OTLP_HEADERS', 'a=b', (c) => c.metrics.otlp, null],
  ['NEXUS_ENABLED', '1', (c) => c.telemetry.nexusEnabled, true],
  ['DBT_PROJECT_DIRS', '/a, /b', (c) => c.dbt.projectSpec, { kind: 'dirs', dirs: ['/a', '/b'], variable: 'DBT_PROJECT_DIRS' }],
  ['DBT_PROJECTS_DIR', '/p', (c) => c.dbt.projectSpec, { kind: 'parent', dir: '/p' }],
  ['DBT_PROJECT_DIR', '/one', (c) => c.dbt.projectSpec, { kind: 'dirs', dirs: ['/one'], variable: 'DBT_PROJECT_DIR' }],
  ['DBT_PROFILES_DIR', '/profiles', (c) => c.dbt.profilesDir, '/profiles'],
  ['DBT_TARGET', 'prod', (c) => c.dbt.target, 'prod'],
  ['DBT_EXECUTABLE', '/opt/dbt', (c) => c.dbt.executable, '/opt/dbt'],
  ['DBT_NODE_TIMEOUT_SECS', '60', (c) => c.dbt.nodeTimeoutMs, 60_000],
  ['DBT_ENGINE_MODE', 'subprocess', (c) => c.dbt.engineMode, 'subprocess'],
  ['GITHUB_TOKEN', 'ghp_abcdef', (c) => c.git.token, 'ghp_abcdef'],
  ['GIT_TOKEN', 'glpat-xyz1', (c) => c.git.token, 'glpat-xyz1'],
  ['WRITE_ARTIFACTS', 'TRUE', (c) => c.artifacts.enabled, true],
  ['ARTIFACT_STORE', 's3://bucket/prefix', (c) => c.artifacts.store, 's3://bucket/prefix'],
  ['WRITE_RUN_LOG', 'false', (c) => c.artifacts.writeRunLog, false],
  ['WRITE_CATALOG', '1', (c) => c.artifacts.writeCatalog, true],
  ['HEALTH_PORT', '8080', (c) => c.health, { port: 8080, file: '/tmp/health' }],
  ['HEALTH_FILE', '/var/run/health', (c) => c.health, { port: null, file: '/var/run/health' }],
  ['WORKER_TUNER', 'resource_based', (c) => c.worker.tuner, 'resource-based'],
  ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '20', (c) => c.worker.maxConcurrentWorkflowTasks, 20],
  ['WORKER_MAX_CONCURRENT_ACTIVITIES', '3', (c) => c.worker.maxConcurrentActivities, 3],
  ['WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', '7', (c) => c.worker.maxConcurrentLocalActivities, 7],
  ['WORKER_RESOURCE_TARGET_MEM', '0.5', (c) => c.worker.resource.targetMemoryUsage, 0.5],
  ['WORKER_RESOURCE_TARGET_CPU', '0.6', (c) => c.worker.resource.targetCpuUsage, 0.6],
  ['WORKER_RESOURCE_ACTIVITY_MIN_SLOTS', '2', (c) => c.worker.resource.activityMinSlots, 2],
  ['WORKER_RESOURCE_ACTIVITY_MAX_SLOTS', '8', (c) => c.worker.resource.activityMaxSlots, 8],
  ['WORKER_MAX_CACHED_WORKFLOWS', '10', (c) => c.worker.maxCachedWorkflows, 10],
  ['WORKER_STICKY_QUEUE_TIMEOUT_SECS', '2.5', (c) => c.worker.stickyQueueTimeoutSecs, 2.5],
  ['WORKER_NONSTICKY_TO_STICKY_POLL_RATIO', '0.5', (c) => c.worker.nonStickyToStickyPollRatio, 0.5],
  ['WORKER_POLLER_AUTOSCALING', 'true', (c) => c.worker.pollerAutoscaling, { minimum: 1, maximum: 100, initial: 5 }],
  ['WORKER_MAX_ACTIVITIES_PER_SECOND', '0.5', (c) => c.worker.maxActivitiesPerSecond, 0.5],
  ['WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND', '12', (c) => c.worker.maxTaskQueueActivitiesPerSecond, 12],
  ['WORKER_GRACEFUL_SHUTDOWN_SECS', '30', (c) => c.worker.gracefulShutdownSecs, 30],
  ['WORKER_MAX_ENGINES', '3', (c) => c.worker.maxEngines, 3],
  ['WORKER_MEMORY_LIMIT', '512Mi', (c) => c.worker.memoryLimitMb, 512],
  ['WORKER_MEMORY_LIMIT', '1.5Gi', (c) => c.worker.memoryLimitMb, 1536],
  ['WORKER_MEMORY_LIMIT', '536870912', (c) => c.worker.memoryLimitMb, 512],
  ['WORKER_ENGINE_THREADS', '8', (c) => c.worker.engineThreads, 8],
  ['DBT_EXPORT_TO_OTLP', 'true', (c) => c.telemetry.dbtExportToOtlp, true],
  ['DBT_LOG_LEVEL', 'debug', (c) => c.telemetry.dbtLogLevel, 'debug'],
  ['DBT_LOG_FORMAT', 'json', (c) => c.telemetry.dbtLogFormat, 'json'],
  ['LOG_LEVEL', 'debug', (c) => c.logging.level, 'debug'],
  ['RUST_LOG', 'warn,temporal_sdk_core=info', (c) => c.logging.coreFilter, 'warn,temporal_sdk_core=info'],
];

// [env, variable named in the error]
const INVALID: Array<[Record<string, string>, string]> = [
  [{ TEMPORAL_ADDRESS: 'not a host' }, 'TEMPORAL_ADDRESS'],
  [{ TEMPORAL_TLS_CERT: PEM }, 'TEMPORAL_TLS_KEY'],
  [{ TEMPORAL_TLS_KEY: PEM }, 'TEMPORAL_TLS_CERT'],
  [{ TEMPORAL_TLS_CERT: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY: PEM }, 'TEMPORAL_TLS_CERT'],
  [{ TEMPORAL_TLS_CA: NOT_PEM }, 'TEMPORAL_TLS_CA'],
  [{ TEMPORAL_SEARCH_ATTRIBUTES: '{not json' }, 'TEMPORAL_SEARCH_ATTRIBUTES'],
  [{ TEMPORAL_SEARCH_ATTRIBUTES: '{"n":1}' }, 'TEMPORAL_SEARCH_ATTRIBUTES'],
  [{ TEMPORAL_PRIORITY_SCHEDULING: 'maybe' }, 'TEMPORAL_PRIORITY_SCHEDULING'],
  [{ TEMPORAL_PRIORITY_WEIGHT: 'dollars' }, 'TEMPORAL_PRIORITY_WEIGHT'],
  [{ TEMPORAL_METRICS_EXPORTER: 'statsd' }, 'TEMPORAL_METRICS_EXPORTER'],
  [{ TEMPORAL_METRICS_PROMETHEUS_ADDR: '9464' }, 'TEMPORAL_METRICS_PROMETHEUS_ADDR'],
  [{ TEMPORAL_METRICS_EXPORTER: 'otlp' }, 'TEMPORAL_METRICS_OTLP_URL'],
  [{ TEMPORAL_METRICS_EXPORTER: 'otlp', TEMPORAL_METRICS_OTLP_URL: 'collector:4317' }, 'TEMPORAL_METRICS_OTLP_URL'],
  [{ TEMPORAL_METRICS_OTLP_PROTOCOL: 'udp' }, 'TEMPORAL_METRICS_OTLP_PROTOCOL'],
  [{ TEMPORAL_METRICS_OTLP_HEADERS: 'foo' }, 'TEMPORAL_METRICS_OTLP_HEADERS'],
  [{ NEXUS_ENABLED: 'yes' }, 'NEXUS_ENABLED'],
  [{ DBT_NODE_TIMEOUT_SECS: '0' }, 'DBT_NODE_TIMEOUT_SECS'],
  [{ DBT_ENGINE_MODE: 'hot' }, 'DBT_ENGINE_MODE'],
  [{ WRITE_ARTIFACTS: 'yes' }, 'WRITE_ARTIFACTS'],
  [{ ARTIFACT_STORE: 'http://bucket/x' }, 'ARTIFACT_STORE'],
  [{ WRITE_RUN_LOG: 'nope' }, 'WRITE_RUN_LOG'],
  [{ WRITE_CATALOG: '2' }, 'WRITE_CATALOG'],
  [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT'],
  [{ HEALTH_PORT: 'http' }, 'HEALTH_PORT'],
  [{ WORKER_TUNER: 'x' }, 'WORKER_TUNER'],
  [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'],
  [{ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, 'WORKER_MAX_CONCURRENT_ACTIVITIES'],
  [{ WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 'many' }, 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES'],
  [{ WORKER_RESOURCE_TARGET_MEM: '1.5' }, 'WORKER_RESOURCE_TARGET_MEM'],
  [{ WORKER_RESOURCE_TARGET_CPU: '-1' }, 'WORKER_RESOURCE_TARGET_CPU'],
  [{ WORKER_RESOURCE_ACTIVITY_MIN_SLOTS: 'x' }, 'WORKER_RESOURCE_ACTIVITY_MIN_SLOTS'],
  [{ WORKER_RESOURCE_ACTIVITY_MIN_SLOTS: '10', WORKER_RESOURCE_ACTIVITY_MAX_SLOTS: '5' }, 'WORKER_RESOURCE_ACTIVITY_MAX_SLOTS'],
  [{ WORKER_MAX_CACHED_WORKFLOWS: '-1' }, 'WORKER_MAX_CACHED_WORKFLOWS'],
  [{ WORKER_STICKY_QUEUE_TIMEOUT_SECS: '0' }, 'WORKER_STICKY_QUEUE_TIMEOUT_SECS'],
  [{ WORKER_NONSTICKY_TO_STICKY_POLL_RATIO: '2' }, 'WORKER_NONSTICKY_TO_STICKY_POLL_RATIO'],
  [{ WORKER_POLLER_AUTOSCALING: 'on' }, 'WORKER_POLLER_AUTOSCALING'],
  [{ WORKER_POLLER_AUTOSCALING: '1', WORKER_POLLER_MIN: '0' }, 'WORKER_POLLER_MIN'],
  [{ WORKER_POLLER_AUTOSCALING: '1', WORKER_POLLER_MIN: '5', WORKER_POLLER_MAX: '4', WORKER_POLLER_INITIAL: '4' }, 'WORKER_POLLER_MAX'],
  [{ WORKER_POLLER_AUTOSCALING: '1', WORKER_POLLER_INITIAL: '500' }, 'WORKER_POLLER_INITIAL'],
  [{ WORKER_MAX_ACTIVITIES_PER_SECOND: '0' }, 'WORKER_MAX_ACTIVITIES_PER_SECOND'],
  [{ WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND: 'fast' }, 'WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND'],
  [{ WORKER_GRACEFUL_SHUTDOWN_SECS: '-5' }, 'WORKER_GRACEFUL_SHUTDOWN_SECS'],
  [{ WORKER_MAX_ENGINES: '0' }, 'WORKER_MAX_ENGINES'],
  [{ WORKER_MEMORY_LIMIT: 'lots' }, 'WORKER_MEMORY_LIMIT'],
  [{ WORKER_MEMORY_LIMIT: '16Mi' }, 'WORKER_MEMORY_LIMIT'],
  [{ WORKER_ENGINE_THREADS: 'many' }, 'WORKER_ENGINE_THREADS'],
  [{ DBT_EXPORT_TO_OTLP: 'otlp' }, 'DBT_EXPORT_TO_OTLP'],
  [{ DBT_LOG_LEVEL: 'loud' }, 'DBT_LOG_LEVEL'],
  [{ DBT_LOG_FORMAT: 'xml' }, 'DBT_LOG_FORMAT'],
  [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
  [{ RUST_LOG: 'info;debug' }, 'RUST_LOG'],
];

describe('configuration variables', () => {
  it.each(VALID)('%s=%s takes effect', (name, value, read, expected) => {
    expect(read(load({ [name]: value }))).toEqual(expected);
  });

  it.each(INVALID)('%j stops startup naming %s, the value and the rule', (env, name) => {
    const err = configError(env);
    expect(err.message).toContain(`${name} must be`);
    const value = env[name];
    if (value !== undefined && name !== 'TEMPORAL_METRICS_OTLP_HEADERS') expect(err.message).toContain(JSON.stringify(value));
  });

  it('applies the documented defaults when nothing is set', () => {
    const c = load({});
    expect(c.temporal).toMatchObject({ address: 'localhost:7233', namespace: 'default', taskQueue: 'dbt-tasks', apiKey: null, tls: null, deploymentName: null });
    expect(c.temporal.buildId).toMatch(/^dbt-temporal-\d+\.\d+\.\d+/);
    expect(c.worker).toMatchObject({ tuner: 'fixed', maxConcurrentActivities: 100, maxConcurrentWorkflowTasks: 200, maxConcurrentLocalActivities: 100, maxCachedWorkflows: 1000, stickyQueueTimeoutSecs: 10, nonStickyToStickyPollRatio: 0.2, pollerAutoscaling: null, maxActivitiesPerSecond: null, maxTaskQueueActivitiesPerSecond: null, gracefulShutdownSecs: null });
    expect(c.worker.resource).toEqual({ targetMemoryUsage: 0.8, targetCpuUsage: 0.9, activityMinSlots: 1, activityMaxSlots: 500 });
    expect(c.artifacts).toEqual({ enabled: false, store: '/tmp/dbt-artifacts', writeRunLog: true, writeCatalog: false,
      objectStores: { s3: { region: 'us-east-1', endpoint: null, allowHttp: false, credentials: null }, gcs: { endpoint: null } }, retention: { maxRuns: null, maxAgeDays: null } });
    expect(c.codec).toBeNull();
    expect(c.secretEnvNames).toEqual([]);
    expect(c.health).toEqual({ port: null, file: null });
    expect(c.metrics).toEqual({ exporter: 'none', prometheusAddr: '0.0.0.0:9464', otlp: null });
    expect(c.logging).toEqual({ level: 'info', coreFilter: null });
  });

  it('adds the default port to a bare host and keeps https:// as a TLS switch', () => {
    expect(load({ TEMPORAL_ADDRESS: 'temporal' }).temporal.address).toBe('temporal:7233');
    const tls = load({ TEMPORAL_ADDRESS: 'https://ns.acct.tmprl.cloud:7233' }).temporal;
    expect(tls.address).toBe('ns.acct.tmprl.cloud:7233');
    expect(tls.tls).not.toBeNull();
  });

  it('enables mTLS with both files and combines it with an API key', () => {
    const t = load({ TEMPORAL_TLS_CERT: PEM, TEMPORAL_TLS_KEY: PEM, TEMPORAL_API_KEY: 'key-abcdef' }).temporal;
    expect(t.tls?.clientCertPair?.crt.toString()).toContain('BEGIN CERTIFICATE');
    expect(t.apiKey).toBe('key-abcdef');
  });

  it('configures the OTLP exporter from OTEL_EXPORTER_OTLP_ENDPOINT with the otel alias', () => {
    const m = load({ TEMPORAL_METRICS_EXPORTER: 'otel', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', TEMPORAL_METRICS_OTLP_PROTOCOL: 'http', TEMPORAL_METRICS_OTLP_HEADERS: 'authorization=Bearer x, x-team=data' }).metrics;
    expect(m).toEqual({ exporter: 'otlp', prometheusAddr: '0.0.0.0:9464', otlp: { url: 'http://collector:4318', protocol: 'http', headers: { authorization: 'Bearer x', 'x-team': 'data' } } });
  });

  it('reads the poller bounds when autoscaling is on', () => {
    const w = load({ WORKER_POLLER_AUTOSCALING: '1', WORKER_POLLER_MIN: '2', WORKER_POLLER_MAX: '9', WORKER_POLLER_INITIAL: '3' }).worker;
    expect(w.pollerAutoscaling).toEqual({ minimum: 2, maximum: 9, initial: 3 });
  });

  it('prefers GITHUB_TOKEN over GIT_TOKEN', () => {
    expect(load({ GITHUB_TOKEN: 'ghp_first1', GIT_TOKEN: 'second22' }).git.token).toBe('ghp_first1');
  });
});
