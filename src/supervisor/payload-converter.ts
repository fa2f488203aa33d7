// The worker's payload converter (bundled into the workflow code, so workflow-safe): the SDK's
// default one, except that a payload it cannot decode (an unknown encoding such as
// json/protobuf, or json/plain that is not JSON) becomes a marker object instead of an error.
// An error here fails the workflow *task*, which the server retries forever (the run would stay
// RUNNING); the marker lets the workflow reject the input at once as INVALID_INPUT.
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload, PayloadConverter } from '@temporalio/common';
import { UNDECODABLE_KEY } from '../shared/input.js';

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.['encoding'];
  if (!raw) return '(none)';
  let s = '';
  for (const b of raw.slice(0, 64)) s += String.fromCharCode(b);
  return s;
}

class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    return defaultPayloadConverter.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      return defaultPayloadConverter.fromPayload(payload);
    } catch {
      return { [UNDECODABLE_KEY]: encodingOf(payload) } as T;
    }
  }
}

export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();
