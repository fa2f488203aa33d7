// The Nexus contract of the worker (NEXUS_ENABLED=true): service `dbt`, operation `dbt_run`,
// with the dbt_run workflow's own input and output. Callers import it (or restate it) to
// build a typed Nexus client in their workflows.
import * as nexus from 'nexus-rpc';
import type { DbtRunInput, DbtRunOutput } from './contracts.js';

export const NEXUS_SERVICE_NAME = 'dbt';
export const NEXUS_OPERATION_DBT_RUN = 'dbt_run';

export const dbtNexusService = nexus.service(NEXUS_SERVICE_NAME, {
  [NEXUS_OPERATION_DBT_RUN]: nexus.operation<DbtRunInput, DbtRunOutput>(),
});
