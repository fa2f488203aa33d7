// The Helm chart (deploy/helm/dbt-temporal): `helm lint` passes and `helm template` renders a
// Deployment that runs the image the way test/e2e/container-start.test.ts does (non-root,
// read-only root, /tmp a size-limited memory emptyDir), with the probes, grace period, env and
// optional KEDA / PodMonitor / PrometheusRule objects. helm comes from scripts/setup.mjs --for-tests (.tools/bin).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const HELM = `${REPO_ROOT}.tools/bin/helm`;
const CHART = `${REPO_ROOT}deploy/helm/dbt-temporal`;
const ALERTS = `${REPO_ROOT}deploy/prometheus/dbt-temporal-alerts.yaml`;

type K8sObject = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function render(sets: string[] = []): Promise<K8sObject[]> {
  const r = await execa(HELM, ['template', 'rel', CHART, ...sets.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as K8sObject).filter(Boolean);
}

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);

describe('helm chart', () => {
  it('has helm installed by the test set-up', () => {
    expect(existsSync(HELM), 'run `node scripts/setup.mjs --for-tests` (builds helm into .tools/bin)').toBe(true);
  });

  it('passes helm lint, with defaults and with every option on', async () => {
    await execa(HELM, ['lint', CHART]);
    await execa(HELM, ['lint', CHART, '--set', 'keda.enabled=true,keda.apiKeySecret.name=k,podMonitor.enabled=true,prometheusRule.enabled=true,temporal.tlsSecret=tls']);
  });

  it('renders a non-root, read-only Deployment with a memory /tmp, probes and a long enough grace period', async () => {
    const objs = await render(['worker.gracefulShutdownSecs=120', 'tmp.sizeLimit=512Mi']);
    expect(byKind(objs, 'ScaledObject')).toEqual([]);
    expect(byKind(objs, 'PodMonitor')).toEqual([]);
    expect(byKind(objs, 'PrometheusRule')).toEqual([]);
    const [dep] = byKind(objs, 'Deployment');
    const pod = dep?.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } });
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(120 + 30);
    expect(c.resources.limits.memory).toBeDefined();
    expect(pod.serviceAccountName).toBe(byKind(objs, 'ServiceAccount')[0]?.metadata.name);
    const [cm] = byKind(objs, 'ConfigMap');
    expect(c.envFrom).toContainEqual({ configMapRef: { name: cm?.metadata.name } });
    expect(cm?.data).toMatchObject({ TEMPORAL_TASK_QUEUE: 'dbt-tasks', HEALTH_PORT: '8080', WORKER_GRACEFUL_SHUTDOWN_SECS: '120', DBT_PROJECT_DIRS: '/app/projects/my_project' });
  });

  it('sizes engines from the pod by default (512Mi requested) and passes explicit engine settings through', async () => {
    const [dep] = byKind(await render([]), 'Deployment');
    const c = dep?.spec.template.spec.containers[0];
    expect(c.resources.requests.memory).toBe('512Mi');
    const cm = byKind(await render([]), 'ConfigMap')[0];
    expect(Object.keys(cm?.data ?? {})).not.toContain('WORKER_MAX_ENGINES');
    expect(Object.keys(cm?.data ?? {})).not.toContain('WORKER_MEMORY_LIMIT');
    const set = byKind(await render(['worker.maxEngines=3', 'worker.memoryLimit=2Gi', 'worker.engineThreads=8']), 'ConfigMap')[0];
    expect(set?.data).toMatchObject({ WORKER_MAX_ENGINES: '3', WORKER_MEMORY_LIMIT: '2Gi', WORKER_ENGINE_THREADS: '8' });
    // Eager dispatch: the worker's default unless set, and 0 (no eager dispatch) is a setting too.
    expect(Object.keys(cm?.data ?? {})).not.toContain('WORKER_MAX_EAGER_ACTIVITIES');
    expect(byKind(await render(['worker.maxEagerActivities=0']), 'ConfigMap')[0]?.data).toMatchObject({ WORKER_MAX_EAGER_ACTIVITIES: '0' });
    expect(byKind(await render(['worker.maxEagerActivities=3']), 'ConfigMap')[0]?.data).toMatchObject({ WORKER_MAX_EAGER_ACTIVITIES: '3' });
    // The slots kept for eager dispatch likewise (0: none).
    expect(Object.keys(cm?.data ?? {})).not.toContain('WORKER_EAGER_RESERVED_SLOTS');
    expect(byKind(await render(['worker.eagerReservedSlots=0']), 'ConfigMap')[0]?.data).toMatchObject({ WORKER_EAGER_RESERVED_SLOTS: '0' });
    expect(byKind(await render(['worker.eagerReservedSlots=12']), 'ConfigMap')[0]?.data).toMatchObject({ WORKER_EAGER_RESERVED_SLOTS: '12' });
  });

  it('fetches the project from git with the token from a Secret, never in the ConfigMap', async () => {
    const objs = await render(['project.source=git', 'project.dirs=git+https://github.com/org/repo.git#v1:jaffle', 'project.gitTokenSecret.name=gh', 'temporal.apiKeySecret.name=cloud']);
    const cm = byKind(objs, 'ConfigMap')[0];
    expect(cm?.data?.['DBT_PROJECT_DIRS']).toBe('git+https://github.com/org/repo.git#v1:jaffle');
    expect(Object.keys(cm?.data ?? {})).not.toContain('GITHUB_TOKEN');
    const env = byKind(objs, 'Deployment')[0]?.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'GITHUB_TOKEN' } } });
    expect(env).toContainEqual({ name: 'TEMPORAL_API_KEY', valueFrom: { secretKeyRef: { name: 'cloud', key: 'TEMPORAL_API_KEY' } } });
    const bad = await execa(HELM, ['template', 'rel', CHART, '--set', 'project.source=s3,project.dirs=/not/a/bucket'], { reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/project.dirs must be an s3:\/\/ URL/);
  });

  it('renders the KEDA ScaledObject with its TriggerAuthentication and the PodMonitor when enabled', async () => {
    const objs = await render(['keda.enabled=true', 'keda.apiKeySecret.name=cloud', 'podMonitor.enabled=true', 'temporal.address=ns.acct.tmprl.cloud:7233']);
    const [so] = byKind(objs, 'ScaledObject');
    const [ta] = byKind(objs, 'TriggerAuthentication');
    const dep = byKind(objs, 'Deployment')[0];
    expect(so?.spec.scaleTargetRef.name).toBe(dep?.metadata.name);
    expect(so?.spec.triggers[0]).toMatchObject({ type: 'temporal', metadata: { endpoint: 'ns.acct.tmprl.cloud:7233', taskQueue: 'dbt-tasks' }, authenticationRef: { name: ta?.metadata.name } });
    expect(ta?.spec.secretTargetRef).toEqual([{ parameter: 'apiKey', name: 'cloud', key: 'TEMPORAL_API_KEY' }]);
    expect(dep?.spec.replicas).toBeUndefined();
    const [pm] = byKind(objs, 'PodMonitor');
    expect(pm?.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'health', path: '/metrics' });
  });

  it('renders the alert rules of deploy/prometheus as a PrometheusRule when enabled, and promtool accepts them', async () => {
    expect(readFileSync(`${CHART}/files/prometheus-alerts.yaml`, 'utf8')).toBe(readFileSync(ALERTS, 'utf8'));
    const [rule] = byKind(await render(['prometheusRule.enabled=true', 'prometheusRule.labels.release=kps']), 'PrometheusRule');
    expect(rule?.metadata).toMatchObject({ name: 'rel-dbt-temporal', labels: { release: 'kps', 'app.kubernetes.io/instance': 'rel' } });
    expect(rule?.spec).toEqual(parse(readFileSync(ALERTS, 'utf8')));
    const dir = mkdtempSync(join(tmpdir(), 'helm-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), stringify(rule?.spec));
      const check = await execa('promtool', ['check', 'rules', join(dir, 'rules.yaml')], { reject: false, all: true });
      expect(check.exitCode, String(check.all)).toBe(0);
      expect(check.all).toContain('SUCCESS: 7 rules found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
