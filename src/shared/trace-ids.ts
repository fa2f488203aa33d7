// OpenTelemetry ids of a run, derived from its invocation id: a trace is found from the run
// (the trace id is the invocation id's 32 hex digits), on every worker, across continue-as-new.

const HEX32 = /^[0-9a-f]{32}$/;

/** 64-bit FNV-1a of a string, as 16 hex digits (for invocation ids that are not UUIDs). */
function fnv64(text: string, seed: bigint): string {
  let h = 0xcbf29ce484222325n ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** The run's trace id: the invocation id (a run id, a UUID) without dashes; other ids are hashed. */
export function traceIdFor(invocationId: string): string {
  const hex = invocationId.replace(/-/g, '').toLowerCase();
  if (HEX32.test(hex) && !/^0+$/.test(hex)) return hex;
  return fnv64(invocationId, 1n) + fnv64(invocationId, 2n);
}

/** The span id of the run's root span (`dbt_run`), which every other span of the run descends from. */
export function rootSpanIdFor(invocationId: string): string {
  const id = fnv64(invocationId, 3n);
  return id === '0000000000000000' ? '0000000000000001' : id;
}

/** W3C `traceparent` of the run's root span (sampled). */
export function traceparentFor(invocationId: string): string {
  return `00-${traceIdFor(invocationId)}-${rootSpanIdFor(invocationId)}-01`;
}
