// The HTTP server as the deployment guide describes it, through fastify's inject().
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Readiness } from '../../../src/supervisor/health/readiness.js';
import { buildServer } from '../../../src/supervisor/http/server.js';

const dir = mkdtempSync(join(tmpdir(), 'http-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'health');
const readiness = new Readiness();
const app = buildServer({
  healthFile: file,
  readiness: () => readiness.state,
  metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => '# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n' },
});
afterAll(() => app.close());

const backdate = (seconds: number) => {
  const t = new Date(Date.now() - seconds * 1000);
  utimesSync(file, t, t);
};

describe('HTTP server', () => {
  it('answers 503 stale on any path before the health file exists', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('stale\n');
  });

  it('answers 200 ok on any method and path while the file is fresh, with Connection: close', async () => {
    writeFileSync(file, '');
    for (const [method, url] of [['GET', '/'], ['GET', '/anything/deep?x=1'], ['POST', '/'], ['HEAD', '/x'], ['PUT', '/metrics']] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(200);
      if (method !== 'HEAD') expect(res.body).toBe('ok\n');
      expect(res.headers.connection).toBe('close');
    }
  });

  it('turns 503 stale once the file is 60 s old', async () => {
    backdate(59);
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    backdate(61);
    const res = await app.inject({ url: '/foo' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('stale\n');
  });

  it('reports liveness as JSON on /healthz', async () => {
    backdate(120);
    const stale = await app.inject({ url: '/healthz' });
    expect(stale.statusCode).toBe(503);
    expect(stale.json()).toMatchObject({ status: 'stale', health_file: file });
    backdate(0);
    const fresh = await app.inject({ url: '/healthz' });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().status).toBe('ok');
  });

  it('is ready only once projects are resolved and the worker polls, and not while shutting down', async () => {
    const body = async () => {
      const res = await app.inject({ url: '/readyz' });
      return { code: res.statusCode, ...res.json() };
    };
    expect(await body()).toEqual({ code: 503, ready: false, projects_resolved: false, worker_polling: false, shutting_down: false });
    readiness.markProjectsResolved();
    expect(await body()).toMatchObject({ code: 503, ready: false, projects_resolved: true });
    readiness.markWorkerPolling(true);
    expect(await body()).toMatchObject({ code: 200, ready: true });
    readiness.markShuttingDown();
    expect(await body()).toMatchObject({ code: 503, ready: false, shutting_down: true });
  });

  it('serves metrics in the Prometheus text format on GET /metrics', async () => {
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(res.body).toContain('x_total 1');
  });

  it('is always stale without a health file', async () => {
    const bare = buildServer({ healthFile: null, readiness: () => readiness.state, metrics: { contentType: 'text/plain', render: async () => '' } });
    expect((await bare.inject({ url: '/' })).statusCode).toBe(503);
    await bare.close();
  });
});
