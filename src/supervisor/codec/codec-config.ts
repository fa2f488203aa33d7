// DBT_TEMPORAL_CODEC_KEYS / DBT_TEMPORAL_CODEC_KEY_ID: the payload codec's keys. Unset: no codec.
import { CodedError } from '../../shared/errors.js';
import type { CodecKeys } from './aes-gcm-codec.js';

type Env = Record<string, string | undefined>;

/**
 * `DBT_TEMPORAL_CODEC_KEYS=<id>:<base64 of 32 bytes>[,<id>:<key>...]`; the first key encrypts
 * unless `DBT_TEMPORAL_CODEC_KEY_ID` names another. Rotation: put the new key first (or name it)
 * and keep the old ones listed until no history needs them. Values are never shown in errors.
 */
export function readCodecKeys(env: Env): CodecKeys | null {
  const raw = env['DBT_TEMPORAL_CODEC_KEYS']?.trim();
  if (!raw) return null;
  const keys = new Map<string, Buffer>();
  raw.split(',').map((e) => e.trim()).filter(Boolean).forEach((entry, i) => {
    const sep = entry.indexOf(':');
    const id = sep > 0 ? entry.slice(0, sep).trim() : '';
    const key = sep > 0 ? Buffer.from(entry.slice(sep + 1).trim(), 'base64') : Buffer.alloc(0);
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32) {
      throw new CodedError('CONFIG_ERROR', `DBT_TEMPORAL_CODEC_KEYS must be comma-separated <key id>:<base64 of 32 random bytes> entries; entry ${i + 1} is not (value not shown: it is a secret)`);
    }
    keys.set(id, key);
  });
  const activeKeyId = env['DBT_TEMPORAL_CODEC_KEY_ID']?.trim() || [...keys.keys()][0];
  if (activeKeyId === undefined || !keys.has(activeKeyId)) {
    throw new CodedError('CONFIG_ERROR', `DBT_TEMPORAL_CODEC_KEY_ID must name a key of DBT_TEMPORAL_CODEC_KEYS, got ${JSON.stringify(activeKeyId ?? '')}`);
  }
  return { activeKeyId, keys };
}
