// Workflow entry point for the bundle: every workflow type the worker registers.
export { dbt_run } from './dbt-run.js';
export { dbt_lease } from './lease.js';
