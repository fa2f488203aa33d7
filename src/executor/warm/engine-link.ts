// The MessagePort between an executor thread and the main thread's engine pool: the thread
// sends one EngineCall, the main side runs it (with the task's cancel signal) and answers.
import { nowMs, tracing } from '../trace.js';
import type { MessagePort } from 'node:worker_threads';
import type { EngineAnswer, EngineCall, EngineLink } from './engine-call.js';
import type { WarmEnginePool } from './engine-pool.js';

/** Thread side: a link that forwards calls over `port`. */
export function portLink(port: MessagePort): EngineLink {
  return (call) => new Promise<EngineAnswer>((resolve) => {
    port.once('message', (answer: EngineAnswer) => resolve(answer));
    port.postMessage(call);
  });
}

/** Main side: runs the calls arriving on `port` on `pool`. */
export function serveLink(port: MessagePort, pool: WarmEnginePool, signal: AbortSignal): void {
  port.on('message', (call: EngineCall) => {
    const m0 = tracing ? nowMs() : 0;
    const answer = call.kind === 'node' ? pool.placeNode({ ...call, signal }) : pool.invoke({ ...call, signal });
    void answer.then((a) => port.postMessage(a.use.trace ? { ...a, use: { ...a.use, trace: { ...a.use.trace, m0, m3: nowMs() } } } : a));
  });
}

/** In-process link (tests, and the main thread itself). */
export function directLink(pool: WarmEnginePool, signal: AbortSignal): EngineLink {
  return (call) => (call.kind === 'node' ? pool.placeNode({ ...call, signal }) : pool.invoke({ ...call, signal }));
}
