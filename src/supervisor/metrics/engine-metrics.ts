// Scrape-time metrics of the warm engine pool: its limits, queue, run contexts, manifests and
// the memory of each engine. Read from the executor's stats; absent in subprocess mode.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { EnginePoolStats } from '../../executor/index.js';

export type EnginePoolGauges = EnginePoolStats;

const MIB = 1024 * 1024;

/** Registers the engine pool's metrics on `registry`, reading `read()` at each scrape. */
export function registerEnginePoolMetrics(registry: Registry, read: () => EnginePoolGauges | undefined): void {
  const registers = [registry];
  const gauge = (name: string, help: string, value: (p: EnginePoolGauges) => number): void => {
    new Gauge({
      name, help, registers,
      collect() {
        const p = read();
        if (p) this.set(value(p));
      },
    });
  };
  const counter = (name: string, help: string, key: string): void => {
    new Counter({
      name, help, registers,
      collect() {
        const p = read();
        if (p) {
          this.reset();
          this.inc(p.counters[key] ?? 0);
        }
      },
    });
  };
  gauge('dbt_temporal_engine_processes_max', 'Warm dbt engines the worker may run (WORKER_MAX_ENGINES, or from CPUs and memory).', (p) => p.maxEngines);
  gauge('dbt_temporal_engine_memory_limit_bytes', 'The worker memory budget engines are started within (WORKER_MEMORY_LIMIT, or the cgroup limit).', (p) => p.memoryLimitMb * MIB);
  gauge('dbt_temporal_engine_memory_limited', '1 when the memory budget held back an engine that work was waiting for.', (p) => Number(p.memoryLimited));
  gauge('dbt_temporal_engine_queue_length', 'Nodes and plans waiting for a warm engine.', (p) => p.queued);
  gauge('dbt_temporal_engine_contexts', 'Run contexts open on the engines.', (p) => p.contexts);
  gauge('dbt_temporal_engine_contexts_parked', "Run contexts parked on the engines for their run's next turn.", (p) => p.parked);
  new Gauge({
    name: 'dbt_temporal_engine_resident_memory_bytes', help: 'Resident memory of each warm engine process.', labelNames: ['engine'], registers,
    collect() {
      const p = read();
      this.reset();
      p?.engineRssMb.forEach((mb, i) => this.set({ engine: String(i) }, mb * MIB));
    },
  });
  counter('dbt_temporal_engine_context_opens_total', 'Run contexts opened on an engine.', 'contexts');
  counter('dbt_temporal_engine_context_resumes_total', 'Parked run contexts resumed for their run\'s next turn (instead of an open).', 'resumes');
  counter('dbt_temporal_engine_context_switches_total', 'Idle run contexts closed to give their engine to another run.', 'switches');
  counter('dbt_temporal_engine_context_drains_total', 'Busy run contexts whose turn ended because other runs waited (they close after their last node).', 'drains');
  counter('dbt_temporal_engine_manifest_parses_total', 'Manifests an engine parsed (one per parse key and env on a worker).', 'parses');
  counter('dbt_temporal_engine_manifest_loads_total', "Manifests an engine loaded from a sibling engine's parse instead of parsing.", 'loads');
  counter('dbt_temporal_engine_manifest_hits_total', 'Manifests an engine already held.', 'hits');
}
