// The codec server for the Temporal UI and CLI (`temporal --codec-endpoint`): POST /encode and
// /decode with `{"payloads":[{"metadata":{k: base64}, "data": base64}]}`, CORS for the UI's origin.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  /** Origins allowed to call (the Temporal UI). @default ['http://localhost:8233', 'https://cloud.temporal.io'] */
  corsOrigins?: readonly string[];
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The codec server app (not listening). */
export function buildCodecServer(codec: PayloadCodec, opts: CodecServerOptions = {}): FastifyInstance {
  const origins = new Set(opts.corsOrigins ?? ['http://localhost:8233', 'https://cloud.temporal.io']);
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-headers', 'content-type,x-namespace,authorization');
      reply.header('access-control-allow-methods', 'POST,OPTIONS');
      reply.header('vary', 'origin');
    }
  });
  app.options('/*', async (_req, reply) => reply.code(204).send());
  for (const op of ['encode', 'decode'] as const) {
    app.post<{ Body: { payloads?: JsonPayload[] } }>(`/${op}`, async (req, reply) => {
      const payloads = req.body?.payloads;
      if (!Array.isArray(payloads)) return reply.code(400).send({ error: 'body must be {"payloads": [...]}' });
      const out = await codec[op](payloads.map(fromJson));
      return { payloads: out.map(toJson) };
    });
  }
  return app;
}
