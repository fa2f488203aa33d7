// The pure turn rules of the warm engine pool (src/executor/warm/turns.ts).
import { describe, expect, it } from 'vitest';
import type { OpenContext, Slot } from '../../../src/executor/warm/placement.js';
import { nextYield, roomFor } from '../../../src/executor/warm/turns.js';

const T = { quantumMs: 5_000, graceMs: 250 };

function slot(key: string, over: Partial<Slot> = {}, ctx: Partial<OpenContext> = {}): Slot {
  const context: OpenContext = { key, invocationId: key, released: false, warehouse: null, memory: false, failed: false, openedAt: 0, idleSince: 0, threads: 4, draining: false, ...ctx };
  return { engine: null, ready: Promise.resolve(true), startMs: 0, context, specSent: true, inflight: 0, invoking: false, closing: false, manifests: [], parked: new Map(), idleTimer: null, ...over };
}

describe('turns between runs on the engine pool', () => {
  it('closes an idle context past its grace for another run', () => {
    const idle = slot('a', {}, { idleSince: 0 });
    expect(roomFor([idle], { kind: 'node', request: { context: { key: 'b' } }, queuedAt: 0 } as never, 300, T)).toEqual({ close: idle });
  });

  it('gives an idle context no grace when the task slots are full (its run\'s next nodes cannot arrive)', () => {
    const idle = slot('a', {}, { idleSince: 1_000, openedAt: 1_000 });
    const job = { kind: 'node', request: { context: { key: 'b' } }, queuedAt: 1_000 } as never;
    expect(roomFor([idle], job, 1_010, T)).toEqual({ drain: null, retryInMs: 240 });
    expect(roomFor([idle], job, 1_010, { ...T, full: true })).toEqual({ close: idle });
  });

  it('gives an idle context a short grace when full if the worker keeps freed slots for its runs\' eager nodes', () => {
    const idle = slot('a', {}, { idleSince: 1_000, openedAt: 1_000 });
    const job = { kind: 'node', request: { context: { key: 'b' } }, queuedAt: 1_000 } as never;
    const kept = { ...T, full: true, fullGraceMs: 50 };
    expect(roomFor([idle], job, 1_010, kept)).toEqual({ drain: null, retryInMs: 40 });
    expect(roomFor([idle], job, 1_060, kept)).toEqual({ close: idle });
    // Never more than the grace the pool has when not full.
    expect(roomFor([idle], job, 1_010, { ...kept, graceMs: 5 })).toEqual({ close: idle });
  });

  it('looks again when a protected idle context becomes free, never sooner than a few ms', () => {
    const fresh = slot('a', {}, { idleSince: 1_000, openedAt: 1_000 });
    expect(nextYield([fresh], 1_100, T)).toBe(150);
    expect(nextYield([slot('a', {}, { idleSince: 0, openedAt: 0 })], 10_000, T)).toBe(5);
  });

  it('does not wait for a closing context or the waiting run\'s own (their ends look again)', () => {
    expect(nextYield([slot('a', { closing: true })], 10_000, T)).toBeNull();
    expect(nextYield([slot('a')], 10_000, T, 'a')).toBeNull();
    expect(nextYield([slot('a', { inflight: 1 })], 10_000, T)).toBeNull();
  });
});
