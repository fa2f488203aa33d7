// Optional payload codec: AES-256-GCM over every workflow and activity payload, so Temporal's
// history holds ciphertext only (the run's env, results, compiled SQL). Keys come from the
// environment with ids, for rotation: new payloads use the active key, old ones decrypt with
// whichever key id they name. Payloads that are not ours pass through (plain clients still work;
// an unknown key id stays encrypted and the workflow rejects it as input it cannot read).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_META = 'encryption-key-id';
const CIPHER_META = 'encryption-cipher';
const CIPHER = 'AES256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKeys {
  /** Key id used to encrypt. */
  activeKeyId: string;
  /** Every key that may decrypt, by id (32 bytes each). */
  keys: Map<string, Buffer>;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

/** A payload as bytes: JSON of base64 metadata and data (no protobuf dependency). */
function serialize(p: Payload): Buffer {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]));
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') }));
}

function deserialize(b: Buffer): Payload {
  const o = JSON.parse(b.toString('utf8')) as { metadata: Record<string, string>; data: string };
  return { metadata: Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])), data: new Uint8Array(Buffer.from(o.data, 'base64')) };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.activeKeyId) as Buffer;
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(serialize(p)), cipher.final()]);
      return {
        metadata: { encoding: enc(ENCRYPTED_ENCODING), [KEY_ID_META]: enc(this.keys.activeKeyId), [CIPHER_META]: enc(CIPHER) },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (dec(p.metadata?.['encoding']) !== ENCRYPTED_ENCODING) return p;
      const key = this.keys.keys.get(dec(p.metadata?.[KEY_ID_META]));
      if (!key || !p.data || p.data.length < IV_BYTES + TAG_BYTES) return p;
      const data = Buffer.from(p.data);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      try {
        return deserialize(Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]));
      } catch {
        return p; // tampered or wrong key: stays undecodable
      }
    });
  }
}
