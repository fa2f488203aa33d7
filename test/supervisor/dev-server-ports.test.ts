// When a dev server start that lost a port race is tried again (src/supervisor/dev-server.ts).
import { describe, expect, it } from 'vitest';
import { pickedPortTaken } from '../../src/supervisor/dev-server.js';

// As the temporal CLI reports it (one line of its start-up error).
const taken = (port: number): string => `failed listening for HTTP API on 127.0.0.1:${port}: listen tcp 127.0.0.1:${port}: bind: address already in use`;

describe('pickedPortTaken', () => {
  it('retries a port picked here, also when the caller chose the frontend port', () => {
    expect(pickedPortTaken(taken(42129), undefined)).toBe(true);
    expect(pickedPortTaken(taken(42129), 7233)).toBe(true);
  });

  it('never retries the caller\'s own port, nor another failure', () => {
    expect(pickedPortTaken(taken(7233), 7233)).toBe(false);
    expect(pickedPortTaken('address already in use', 7233)).toBe(false);
    expect(pickedPortTaken('temporal dev server not ready on 127.0.0.1:7233', undefined)).toBe(false);
  });
});
