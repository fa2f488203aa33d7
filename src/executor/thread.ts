// Executor thread entry (piscina): runs one task, listening on a port for cancellation.
// Imports nothing from the pool side; failures cross back as data, never as thrown errors.
import type { MessagePort } from 'node:worker_threads';
import type { ExecutorResult, ExecutorTask } from '../shared/executor-protocol.js';
import { failed } from './failure.js';
import { runCatalog } from './subprocess/catalog-task.js';
import { runCompile } from './subprocess/compile-task.js';
import { runFreshness } from './subprocess/freshness-task.js';
import { runHooks } from './subprocess/hooks-task.js';
import { runList, runNodeProcess, runParse } from './subprocess/tasks.js';
import { portLink } from './warm/engine-link.js';
import { runHooksWarm } from './warm/run-hooks.js';
import { runListWarm } from './warm/run-list.js';
import { runParseWarm } from './warm/run-parse.js';
import { runCompileWarm } from './warm/run-compile.js';
import { runNodeWarm } from './warm/run-node.js';
import { nowMs, trace, tracing } from './trace.js';

export interface ThreadMessage {
  task: ExecutorTask;
  /** Tasks that run a dbt process: `cancel` arrives here (a warm task's pool sees the signal itself). */
  cancelPort?: MessagePort;
  enqueuedAt: number;
  /** Warm mode: the port to the main thread's engine pool. */
  engine?: { port: MessagePort };
}

export default async function executeTask({ task, cancelPort, enqueuedAt, engine }: ThreadMessage): Promise<ExecutorResult> {
  const controller = new AbortController();
  cancelPort?.once('message', () => controller.abort());
  try {
    if (engine && task.type === 'node') {
      const t0 = tracing ? nowMs() : 0;
      const r = await runNodeWarm(task, portLink(engine.port), { enqueuedAt });
      if (tracing) trace(task.uniqueId, 'thread', { t0, t4: nowMs() });
      return r;
    }
    if (engine && task.type === 'parse') return await runParseWarm(task, portLink(engine.port));
    if (engine && task.type === 'list') return await runListWarm(task, portLink(engine.port));
    if (engine && task.type === 'hooks') return await runHooksWarm(task, portLink(engine.port));
    if (engine && task.type === 'compile') return await runCompileWarm(task, portLink(engine.port));
    switch (task.type) {
      case 'parse':
        return await runParse(task, controller.signal);
      case 'list':
        return await runList(task, controller.signal);
      case 'catalog':
        return await runCatalog(task, controller.signal);
      case 'compile':
        return await runCompile(task, controller.signal);
      case 'freshness':
        return await runFreshness(task, controller.signal);
      case 'hooks':
        return await runHooks(task, controller.signal);
      case 'node':
        return await runNodeProcess(task, controller.signal, enqueuedAt);
    }
    return failed({ kind: 'engine-lost' }, `unknown executor task ${(task as { type: string }).type}`);
  } catch (err) {
    return failed({ kind: 'engine-lost' }, `executor task failed: ${(err as Error).message}`);
  } finally {
    cancelPort?.close();
    engine?.port.close();
  }
}
