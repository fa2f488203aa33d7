// OpenTelemetry for the worker (DBT_EXPORT_TO_OTLP): a tracer provider exporting over OTLP/HTTP
// in the background, the SDK's OpenTelemetry interceptors and sinks for Temporal's own spans,
// and our dbt spans. The OpenTelemetry API is process-global by design: one Tracing per process.
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/tracing-config.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import { createSpanExporter } from './exporter.js';

/** Span ids chosen by the caller (the run's root span), else random ones. */
class ChosenIdGenerator implements IdGenerator {
  readonly chosen = new AsyncLocalStorage<{ traceId: string; spanId: string }>();
  private readonly random = new RandomIdGenerator();

  generateTraceId(): string {
    return this.chosen.getStore()?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.chosen.getStore()?.spanId ?? this.random.generateSpanId();
  }
}

export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  processor: SpanProcessor;
  /** Runs `fn` so that the root span it starts gets these ids. */
  withIds<T>(ids: { traceId: string; spanId: string }, fn: () => T): T;
  /** Flushes what is buffered (bounded) and unregisters the global provider. Idempotent. */
  close(): Promise<void>;
}

const CLOSE_FLUSH_MS = 5_000;

export function startTracing(config: TracingConfig, log: Logger, redact: Redactor, version: string): Tracing {
  const resource = new Resource({ 'service.name': config.serviceName, 'service.version': version });
  const ids = new ChosenIdGenerator();
  // The batch processor exports off the run's path; its queue bounds memory when the collector is down.
  const processor = new BatchSpanProcessor(createSpanExporter(config, log, redact), { maxQueueSize: 4096, exportTimeoutMillis: config.timeoutMs });
  const provider = new BasicTracerProvider({ resource, idGenerator: ids, spanProcessors: [processor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
  log.info({ url: config.url, protocol: config.protocol, service: config.serviceName }, 'exporting OpenTelemetry traces');
  let closed: Promise<void> | null = null;
  return {
    tracer: provider.getTracer('dbt-temporal', version),
    resource,
    processor,
    withIds: (chosen, fn) => ids.chosen.run(chosen, fn),
    close() {
      closed ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)));
        await Promise.race([provider.shutdown().catch(() => undefined), bound]);
        clearTimeout(timer);
        trace.disable();
        context.disable();
        propagation.disable();
      })();
      return closed;
    },
  };
}
