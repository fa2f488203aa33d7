// The worker's HTTP server: liveness on any path (the deployment guide's health endpoint),
// /healthz, /readyz and /metrics. Built, not started: tests use inject().
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { ReadinessState } from '../health/readiness.js';
import { livenessPlugin } from './liveness-route.js';
import { metricsPlugin } from './metrics-route.js';
import { probesPlugin } from './probes-route.js';

export interface ServerDeps {
  /** Health canary file, or null when there is none (always stale). */
  healthFile: string | null;
  readiness: () => ReadinessState;
  metrics: { contentType: string; render(): Promise<string> };
}

export interface ServerOptions {
  /** Staleness threshold of the health file. @default 60000 */
  staleAfterMs?: number;
}

/** Builds the fastify app (not listening). */
export function buildServer(deps: ServerDeps, opts: ServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  // As in the Rust worker: one response per connection, no keep-alive for probes.
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('connection', 'close');
    return payload;
  });
  void app.register(probesPlugin, { deps, staleAfterMs: opts.staleAfterMs });
  void app.register(metricsPlugin, { deps });
  void app.register(livenessPlugin, { deps, staleAfterMs: opts.staleAfterMs });
  return app;
}

/** Listens on 0.0.0.0:port (0 picks a free port) and returns the bound port. */
export async function listen(app: FastifyInstance, port: number, host = '0.0.0.0'): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}
