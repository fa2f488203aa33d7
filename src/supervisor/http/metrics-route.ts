// GET /metrics: the worker's metrics and the Temporal SDK's, in Prometheus text format.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from './server.js';

export const metricsPlugin: FastifyPluginAsync<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get('/metrics', async (_req, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.render()));
};
