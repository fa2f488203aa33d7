// Well-known paths of the repository for tests.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${REPO_ROOT}bin/dbt-temporal.js`;
export const DBT = `${REPO_ROOT}.venv/bin/dbt`;
export const EXAMPLE_PROJECT = `${REPO_ROOT}examples/jaffle_duck`;
export const BROKEN_PROJECT = `${REPO_ROOT}test/fixtures/broken_duck`;
export const SECOND_PROJECT = `${REPO_ROOT}test/fixtures/second_duck`;
