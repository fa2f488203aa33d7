// The long end-to-end scenarios: a 1,500-node project, installing from a tarball or a fresh
// clone, a sandboxed container start, a killed worker, the Rust project's example shapes,
// worker versioning, concurrent runs on one DuckDB file, the subprocess engine mode, run
// control under load, deferral and state, a Postgres restart, Postgres parity, run options, TLS/mTLS connections, graceful shutdown,
// `list` with every selector form, OpenTelemetry traces, reuse's correctness table on DuckDB and Postgres, leases and admission limits across two workers. Each takes minutes on 2 cores, so
// they are their own vitest run with longer timeouts: `npm test` runs it after the main suite
// (scripts/run-tests.mjs), `npm run test:scenarios` runs it alone.
export const SCENARIO_TESTS = [
  'test/e2e/large-project.test.ts',
  'test/e2e/observability-large.test.ts',
  'test/e2e/dropin-examples.test.ts',
  'test/e2e/dropin-hooks.test.ts',
  'test/e2e/cli-install.test.ts',
  'test/scripts/setup-lock.test.ts',
  'test/e2e/container-start.test.ts',
  'test/e2e/crash-recovery.test.ts',
  'test/e2e/duckdb-single-writer.test.ts',
  'test/e2e/versioning.test.ts',
  'test/e2e/dbt-run.test.ts',
  'test/e2e/observability.test.ts',
  'test/e2e/run-options-state.test.ts',
  'test/e2e/transient-postgres.test.ts',
  'test/e2e/parity-postgres.test.ts',
  'test/e2e/run-options.test.ts',
  'test/e2e/operations-tls.test.ts',
  'test/e2e/operations-shutdown.test.ts',
  'test/e2e/list-selectors.test.ts',
  'test/e2e/tracing.test.ts',
  'test/e2e/reuse-correctness.test.ts',
  'test/e2e/leases-postgres.test.ts',
];
