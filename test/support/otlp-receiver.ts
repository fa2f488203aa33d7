// A small OTLP/HTTP trace receiver on loopback: decodes protobuf or JSON export requests into
// flat spans, and keeps every raw body (to check that no secret was sent).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceRequest, decodeToJson } from './otlp-proto.js';

export type AttrValue = string | number | boolean;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttrValue>;
  resource: Record<string, AttrValue>;
  status: { code: number; message: string };
}

export interface TraceReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** Raw request bodies, as latin1 text (protobuf strings are UTF-8 bytes inside). */
  bodies: string[];
  contentTypes: string[];
  close(): Promise<void>;
}

interface JsonKv { key: string; value?: Record<string, unknown> }

function attrs(list: JsonKv[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const { key, value } of list ?? []) {
    const v = value ?? {};
    const raw = v['stringValue'] ?? v['boolValue'] ?? v['doubleValue'] ?? (v['intValue'] !== undefined ? Number(v['intValue']) : undefined);
    if (raw !== undefined) out[key] = raw as AttrValue;
  }
  return out;
}

const nanosToMs = (v: unknown): number => Number(BigInt(String(v ?? 0)) / 1_000_000n);

function flatten(body: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (body as { resourceSpans?: unknown[] }).resourceSpans ?? []) {
    const r = rs as { resource?: { attributes?: JsonKv[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] };
    const resource = attrs(r.resource?.attributes);
    for (const ss of r.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const status = (s['status'] ?? {}) as { code?: number | string; message?: string };
        out.push({
          traceId: String(s['traceId'] ?? ''), spanId: String(s['spanId'] ?? ''), parentSpanId: String(s['parentSpanId'] ?? ''), name: String(s['name']),
          startMs: nanosToMs(s['startTimeUnixNano']), endMs: nanosToMs(s['endTimeUnixNano']), attributes: attrs(s['attributes'] as JsonKv[]), resource,
          status: { code: Number(status.code === 'STATUS_CODE_ERROR' ? 2 : status.code ?? 0), message: status.message ?? '' },
        });
      }
    }
  }
  return out;
}

export async function startTraceReceiver(): Promise<TraceReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      bodies.push(body.toString('latin1'));
      contentTypes.push(type);
      try {
        const decoded = type.includes('json') ? JSON.parse(body.toString('utf8')) : decodeToJson(TraceRequest, body);
        spans.push(...flatten(decoded));
        res.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' }).end(type.includes('json') ? '{}' : '');
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    contentTypes,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
