// The error catalogue: every code the product emits, as the `type` of a Temporal
// ApplicationFailure (activities: toFailure; the workflow: workflowFailure) or as data across
// thread and process boundaries. Each entry says whether a retry can help and who throws it,
// when; docs/operations.md lists them all (a test keeps it so). Compare by code, never by instanceof.

interface CatalogueEntry {
  /** Whether retrying could help; `failures.ts` turns it into the verdict on each failure. */
  readonly retryable: boolean;
  /** Who throws it and when, one line. */
  readonly doc: string;
}

export const ERROR_CODES = {
  INVALID_INPUT: { retryable: false, doc: "The run's input is not valid (unknown command, wrong field type, selector characters dbt never uses, a target the profile lacks, a ref that names nothing or is no run_results.json, a node its project lacks). Thrown by the workflow, plan_project and execute_node." },
  PROJECT_NOT_FOUND: { retryable: false, doc: 'The `project` field names no loaded project, or several are loaded and none was named. Thrown by the activities.' },
  SELECTION_ERROR: { retryable: false, doc: 'The selector is malformed, retry_from left nothing to retry, or the selection\'s plan would exceed Temporal\'s payload limit. Thrown by plan_project.' },
  DBT_COMPILATION_ERROR: { retryable: false, doc: 'dbt failed to compile or parse (Jinja, missing ref, bad SQL). Thrown by the executor.' },
  DBT_CONFIGURATION_ERROR: { retryable: false, doc: 'dbt project / profile / target / vars are broken, or dbt cannot start. Thrown by the executor.' },
  DBT_DATABASE_ERROR: { retryable: false, doc: 'The warehouse rejected a statement (non-transient). Thrown by the executor for a node, hook or listing.' },
  DBT_TRANSIENT_ERROR: { retryable: true, doc: 'A transient warehouse or network problem (connection refused, lock held, timeout), or a task past its timeout. Thrown by the executor.' },
  DBT_ENGINE_ERROR: { retryable: true, doc: 'dbt crashed, hung or produced no result for the node. Thrown by the executor.' },
  RUN_ENV_UNAVAILABLE: { retryable: true, doc: "A worker could not ask the run's workflow for its env (RUN_ENV_QUERY). Thrown by the activities." },
  CANCELLED: { retryable: false, doc: 'The executor task was cancelled (activity cancellation, executor closed). Thrown by the executor.' },
  WORKER_SHUTDOWN: { retryable: true, doc: 'This worker shut down while the activity ran; Temporal retries it on another worker. Thrown by the activity interceptor (failure-hygiene).' },
  CONFIG_ERROR: { retryable: false, doc: 'Worker-side configuration error (environment variables, dbt_temporal.yml, no artifact store, an in-memory DuckDB the run cannot keep). Fatal at startup; thrown by activities that need what is missing.' },
  ARTIFACT_STORE_ERROR: { retryable: true, doc: 'Object-store (s3://, gs://) I/O failed: network, throttling, server error. Thrown by the artifact store.' },
  ARTIFACT_NOT_FOUND: { retryable: false, doc: 'A bucket, key or file does not exist. Thrown by the artifact store (a ref in the run input that names nothing is INVALID_INPUT).' },
  LOCAL_DAEMON_ERROR: { retryable: false, doc: "`local`'s warm daemon did not start, answer or stop (its log says why). Thrown by the CLI." },
  PLAN_FAILED: { retryable: false, doc: 'plan_project failed, after its retries, with an error that carries no code of ours (a bug: the activity failure in the history has it). Thrown by the workflow.' },
  DbtRunFailed: { retryable: false, doc: "The run failed: a node errored or failed, an `on_error: fail` hook failed, or nodes were cancelled; details[0] is the complete DbtRunOutput. Thrown by the workflow (spelled as the Rust project spells it)." },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `type` (a failure's type, any string) is a code of the catalogue. */
export function isErrorCode(type: unknown): type is ErrorCode {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, type);
}

/** Failure data as it crosses thread boundaries. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
}

/** Whether retrying an error with this code could help. */
export function isRetryable(code: ErrorCode): boolean {
  return ERROR_CODES[code].retryable;
}

/** An error with a stable code, for code that is not workflow code. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
  }
}
