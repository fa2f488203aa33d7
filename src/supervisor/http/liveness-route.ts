// Any method on any other path: 200 `ok` while the health file is fresh, else 503 `stale`.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { HEALTH_STALE_AFTER_MS, isHealthFileFresh } from '../health/health-file.js';
import type { ServerDeps } from './server.js';

export const livenessPlugin: FastifyPluginAsync<{ deps: ServerDeps; staleAfterMs?: number | undefined }> = async (app, { deps, staleAfterMs }) => {
  const handler = async (_req: unknown, reply: FastifyReply) => {
    const fresh = deps.healthFile !== null && (await isHealthFileFresh(deps.healthFile, staleAfterMs ?? HEALTH_STALE_AFTER_MS));
    return reply.code(fresh ? 200 : 503).type('text/plain; charset=utf-8').send(fresh ? 'ok\n' : 'stale\n');
  };
  app.all('/', handler);
  app.all('/*', handler);
};
