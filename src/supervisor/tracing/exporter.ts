// The OTLP/HTTP span exporter, wrapped so that no secret leaves in a span and an unreachable
// collector costs one warning: export runs in the background (batch processor) and failures
// are logged once until an export succeeds again.
import { ExportResultCode, setGlobalErrorHandler } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import type { TracingConfig } from '../config/tracing-config.js';
import type { Logger } from '../logger.js';
import { IDENTIFIER_KEYS } from '../redact.js';
import type { Redactor } from '../redact.js';

function redactAttributes(attrs: Attributes, redact: Redactor): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    // Identifiers (unique ids, project, invocation id) come from the project, not from credentials.
    out[k] = IDENTIFIER_KEYS.has(k.replace(/^dbt\./, '')) ? v : typeof v === 'string' ? redact.text(v) : Array.isArray(v) ? (v.map((x) => (typeof x === 'string' ? redact.text(x) : x)) as typeof v) : v;
  }
  return out;
}

/** A view of the span whose attribute values, event attributes and status message are redacted. */
export function redactSpan(span: ReadableSpan, redact: Redactor): ReadableSpan {
  return Object.create(span, {
    name: { value: redact.text(span.name) },
    attributes: { value: redactAttributes(span.attributes, redact) },
    events: { value: span.events.map((e) => ({ ...e, name: redact.text(e.name), ...(e.attributes ? { attributes: redactAttributes(e.attributes, redact) } : {}) })) },
    status: { value: span.status.message ? { ...span.status, message: redact.text(span.status.message) } : span.status },
  }) as ReadableSpan;
}

/** Logs the first failure of a streak as one warning; the next success is logged at info. */
export class ExportHealth {
  private failing = false;

  constructor(private readonly log: Logger, private readonly url: string) {}

  failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn({ url: this.url, err: err instanceof Error ? err.message : String(err) }, 'OTLP trace export failed; traces are dropped until the collector is reachable (runs are not affected)');
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info({ url: this.url }, 'OTLP trace export recovered');
  }
}

class GuardedExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter, private readonly redact: Redactor, private readonly health: ExportHealth) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans.map((s) => redactSpan(s, this.redact)), (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.health.succeeded();
      else this.health.failed(result.error ?? new Error('export failed'));
      // Reported as a success: the batch processor would otherwise log each failed batch.
      done({ code: ExportResultCode.SUCCESS });
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The configured OTLP/HTTP exporter (protobuf or JSON), redacting and failure-tolerant. */
export function createSpanExporter(config: TracingConfig, log: Logger, redact: Redactor): SpanExporter {
  const options = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMs };
  const inner = config.protocol === 'http/json' ? new JsonExporter(options) : new ProtoExporter(options);
  const health = new ExportHealth(log, config.url);
  // Other OpenTelemetry errors (none expected) go to the same streak logic instead of stderr.
  setGlobalErrorHandler((err) => health.failed(err));
  return new GuardedExporter(inner, redact, health);
}
