// /healthz (liveness, JSON) and /readyz (ready once projects are resolved and the worker polls).
import type { FastifyPluginAsync } from 'fastify';
import { HEALTH_STALE_AFTER_MS, healthFileAgeMs } from '../health/health-file.js';
import type { ServerDeps } from './server.js';

const readyzSchema = {
  response: {
    '2xx': {
      type: 'object',
      properties: { ready: { type: 'boolean' }, projects_resolved: { type: 'boolean' }, worker_polling: { type: 'boolean' }, shutting_down: { type: 'boolean' } },
    },
  },
};

const healthzSchema = {
  response: {
    '2xx': { type: 'object', properties: { status: { type: 'string' }, health_file: { type: ['string', 'null'] }, age_seconds: { type: ['number', 'null'] } } },
  },
};

export const probesPlugin: FastifyPluginAsync<{ deps: ServerDeps; staleAfterMs?: number | undefined }> = async (app, { deps, staleAfterMs }) => {
  app.get('/readyz', { schema: readyzSchema }, async (_req, reply) => {
    const state = deps.readiness();
    return reply.code(state.ready ? 200 : 503).send(state);
  });
  app.get('/healthz', { schema: healthzSchema }, async (_req, reply) => {
    const age = deps.healthFile === null ? null : await healthFileAgeMs(deps.healthFile);
    const fresh = age !== null && age < (staleAfterMs ?? HEALTH_STALE_AFTER_MS);
    return reply.code(fresh ? 200 : 503).send({ status: fresh ? 'ok' : 'stale', health_file: deps.healthFile, age_seconds: age === null ? null : age / 1000 });
  });
};
