// The AES-GCM payload codec: round trip, key rotation by key id, pass-through of foreign
// payloads, and the codec server's HTTP protocol (with CORS for the Temporal UI).
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../../src/supervisor/codec/aes-gcm-codec.js';
import { readCodecKeys } from '../../../src/supervisor/codec/codec-config.js';
import { buildCodecServer } from '../../../src/supervisor/codec/codec-server.js';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const codecFor = (env: Record<string, string>) => new AesGcmPayloadCodec(readCodecKeys(env) ?? (() => { throw new Error('no keys'); })());
const secret = { env: { SECRET_TOKEN: 'tok-3f9a1c-very-secret' } };

describe('AesGcmPayloadCodec', () => {
  it('encrypts payloads so the plaintext is gone, and decrypts them back', async () => {
    const codec = codecFor({ DBT_TEMPORAL_CODEC_KEYS: `a:${keyA}` });
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(Buffer.from(enc?.metadata?.['encoding'] ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(enc?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('a');
    expect(Buffer.from(enc?.data ?? []).toString('latin1')).not.toContain('tok-3f9a1c');
    const [dec] = await codec.decode([enc!]);
    expect(defaultPayloadConverter.fromPayload(dec!)).toEqual(secret);
  });

  it('rotates keys: new payloads use the active key, old ones still decrypt by their key id', async () => {
    const old = codecFor({ DBT_TEMPORAL_CODEC_KEYS: `a:${keyA}` });
    const rotated = codecFor({ DBT_TEMPORAL_CODEC_KEYS: `b:${keyB},a:${keyA}` });
    const [fromOld] = await old.encode([defaultPayloadConverter.toPayload(secret)]);
    const [fromNew] = await rotated.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(Buffer.from(fromNew?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('b');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([fromOld!]))[0]!)).toEqual(secret);
    // A payload whose key is gone stays encrypted (the workflow then rejects it as undecodable input).
    expect((await old.decode([fromNew!]))[0]).toBe(fromNew);
  });

  it('passes plain payloads through and validates its keys without showing them', async () => {
    const codec = codecFor({ DBT_TEMPORAL_CODEC_KEYS: `a:${keyA}`, DBT_TEMPORAL_CODEC_KEY_ID: 'a' });
    const plain = defaultPayloadConverter.toPayload({ x: 1 });
    expect((await codec.decode([plain]))[0]).toBe(plain);
    expect(readCodecKeys({})).toBeNull();
    expect(() => readCodecKeys({ DBT_TEMPORAL_CODEC_KEYS: 'a:c2hvcnQ=' })).toThrow(/entry 1 is not \(value not shown/);
    expect(() => readCodecKeys({ DBT_TEMPORAL_CODEC_KEYS: `a:${keyA}`, DBT_TEMPORAL_CODEC_KEY_ID: 'z' })).toThrow(/DBT_TEMPORAL_CODEC_KEY_ID must name a key/);
  });
});

describe('codec server', () => {
  it('encodes and decodes over HTTP and answers the UI\'s CORS preflight', async () => {
    const app = buildCodecServer(codecFor({ DBT_TEMPORAL_CODEC_KEYS: `a:${keyA}` }), { corsOrigins: ['http://localhost:8233'] });
    const payload = defaultPayloadConverter.toPayload(secret);
    const body = { payloads: [{ metadata: { encoding: Buffer.from(payload.metadata!['encoding']!).toString('base64') }, data: Buffer.from(payload.data!).toString('base64') }] };
    const encoded = await app.inject({ method: 'POST', url: '/encode', payload: body });
    expect(encoded.statusCode).toBe(200);
    expect(encoded.body).not.toContain(Buffer.from(JSON.stringify(secret)).toString('base64'));
    const decoded = await app.inject({ method: 'POST', url: '/decode', payload: encoded.json() });
    expect(decoded.json()).toEqual(body);
    const preflight = await app.inject({ method: 'OPTIONS', url: '/decode', headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    const other = await app.inject({ method: 'OPTIONS', url: '/decode', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect((await app.inject({ method: 'POST', url: '/decode', payload: {} })).statusCode).toBe(400);
    await app.close();
  });
});
