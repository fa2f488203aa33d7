// The subset of the OTLP protobuf schema the test receivers decode (traces and metric names).
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package otlp;
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message Resource { repeated KeyValue attributes = 1; }
message Scope { string name = 1; string version = 2; }
message Status { string message = 2; int32 code = 3; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; repeated Event events = 11; Status status = 15; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message Metric { string name = 1; string description = 2; string unit = 3; }
message ScopeMetrics { Scope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;
export const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
export const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

/** Decodes to the OTLP/JSON shape (camelCase keys, hex ids, 64-bit ints as strings). */
export function decodeToJson(type: protobuf.Type, bytes: Uint8Array): unknown {
  const msg = type.decode(bytes);
  const obj = type.toObject(msg, { longs: String, bytes: String, defaults: false, oneofs: false }) as unknown;
  // Ids are bytes: toObject gives base64; OTLP/JSON uses hex.
  const hexIds = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(hexIds);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, /^(traceId|spanId|parentSpanId)$/.test(k) && typeof x === 'string' ? Buffer.from(x, 'base64').toString('hex') : hexIds(x)]));
    }
    return v;
  };
  return hexIds(obj);
}
