// A small OTLP/gRPC metrics receiver on loopback (the collector's MetricsService/Export):
// decodes each export request and keeps the metric names and request metadata.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Metadata, ServiceDefinition, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { MetricsRequest, decodeToJson } from './otlp-proto.js';

export interface MetricsReceiver {
  /** `http://127.0.0.1:<port>` (plaintext gRPC). */
  url: string;
  metricNames: Set<string>;
  serviceNames: Set<string>;
  metadata: Metadata[];
  close(): Promise<void>;
}

const raw = (b: Buffer): Buffer => b;
const EXPORT: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    // ExportMetricsServiceResponse with no partial_success: an empty message.
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};

interface Kv { key: string; value?: { stringValue?: string } }
interface MetricsJson { resourceMetrics?: { resource?: { attributes?: Kv[] }; scopeMetrics?: { metrics?: { name: string }[] }[] }[] }

export async function startMetricsReceiver(): Promise<MetricsReceiver> {
  const metricNames = new Set<string>();
  const serviceNames = new Set<string>();
  const metadata: Metadata[] = [];
  const server = new Server();
  server.addService(EXPORT, {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => {
      metadata.push(call.metadata);
      const body = decodeToJson(MetricsRequest, call.request) as MetricsJson;
      for (const rm of body.resourceMetrics ?? []) {
        for (const kv of rm.resource?.attributes ?? []) if (kv.key === 'service.name' && kv.value?.stringValue) serviceNames.add(kv.value.stringValue);
        for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) metricNames.add(m.name);
      }
      done(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    url: `http://127.0.0.1:${port}`,
    metricNames,
    serviceNames,
    metadata,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
