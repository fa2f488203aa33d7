// `dbt-temporal codec-server`: serves the payload codec (DBT_TEMPORAL_CODEC_KEYS) to the
// Temporal UI / CLI so they can show encrypted payloads. Keep it private: it decrypts.
import { CodedError } from '../../shared/errors.js';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec.js';
import { readCodecKeys } from '../codec/codec-config.js';
import { buildCodecServer } from '../codec/codec-server.js';

export async function codecServerCommand(env: Record<string, string | undefined>): Promise<number> {
  const keys = readCodecKeys(env);
  if (!keys) throw new CodedError('CONFIG_ERROR', 'DBT_TEMPORAL_CODEC_KEYS must be set for the codec server');
  const port = Number(env['CODEC_SERVER_PORT'] ?? 8888);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CodedError('CONFIG_ERROR', `CODEC_SERVER_PORT must be a port number, got ${JSON.stringify(env['CODEC_SERVER_PORT'])}`);
  const host = env['CODEC_SERVER_HOST'] ?? '127.0.0.1';
  const origins = (env['CODEC_SERVER_CORS_ORIGINS'] ?? 'http://localhost:8233,https://cloud.temporal.io').split(',').map((s) => s.trim()).filter(Boolean);
  const app = buildCodecServer(new AesGcmPayloadCodec(keys), { corsOrigins: origins });
  const address = await app.listen({ port, host });
  process.stderr.write(`codec server listening on ${address} (key ids: ${[...keys.keys.keys()].join(', ')}; active ${keys.activeKeyId})\n`);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve());
  });
  await app.close();
  return 0;
}
