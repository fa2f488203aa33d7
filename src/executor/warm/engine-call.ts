// What an executor thread asks of the warm engines (the pool lives on the main thread: an
// engine's parent-death signal follows the thread that spawned it) and how it is answered.
import type { EngineUse } from './placement.js';
import type { Job } from './placement.js';
import type { EngineOutcome } from './protocol.js';

type Call<J> = J extends Job ? Omit<J, 'resolve' | 'signal'> : never;

/** A job for the pool, as plain data (it crosses a MessagePort). */
export type EngineCall = Call<Job>;

export interface EngineAnswer {
  outcome: EngineOutcome;
  use: EngineUse;
}

/** How a thread reaches the pool: over a port in production, directly in tests. */
export type EngineLink = (call: EngineCall) => Promise<EngineAnswer>;
