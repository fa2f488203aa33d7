// Workflow entry point for the bundle: every workflow type the worker registers.
export { dbt_run } from './dbt-run.js';
