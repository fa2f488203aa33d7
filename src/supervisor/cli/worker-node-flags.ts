// The V8 flags of a worker's Node process (bin/dbt-temporal.js's shebang sets the same ones, so
// `dbt-temporal worker` and the Docker image run with them; every place that starts a worker
// process with `node <script>` passes these).
//
// Young generation of 2 MiB semi-spaces (V8's default: up to 16 MiB each, three per isolate, in
// the main isolate and every worker thread: pool threads, Temporal's workflow thread). A worker's
// young objects are small and short-lived (activity payloads, protobuf messages), so the larger
// young generation bought nothing but resident memory: on the 200-node DuckDB benchmark the
// supervisor's peak fell from 283 to 239 MiB (the worker's, engines included, from 496-508 to
// 444 MiB) at the same CPU (docs/performance.md).
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
