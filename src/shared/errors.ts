// The error catalogue: stable codes that cross thread and process boundaries as data and
// become the `type` of Temporal ApplicationFailures. Compare by code, never by instanceof.

export const ERROR_CODES = {
  /** Workflow input is not valid (unknown command, wrong field type). Thrown by the workflow. */
  INVALID_INPUT: { retryable: false },
  /** The `project` field names no loaded project, or several are loaded and none was named. */
  PROJECT_NOT_FOUND: { retryable: false },
  /** The selector is malformed or matches no node for the command. Thrown by plan_project. */
  SELECTION_ERROR: { retryable: false },
  /** dbt failed to compile or parse (Jinja, missing ref, bad SQL). Thrown by the executor. */
  DBT_COMPILATION_ERROR: { retryable: false },
  /** dbt project / profile / target / vars are broken. Thrown by the executor or config. */
  DBT_CONFIGURATION_ERROR: { retryable: false },
  /** The warehouse rejected a statement (non-transient). Thrown by execute_node. */
  DBT_DATABASE_ERROR: { retryable: false },
  /** A transient warehouse or network problem (connection refused, lock held, timeout). */
  DBT_TRANSIENT_ERROR: { retryable: true },
  /** dbt crashed, hung or produced no result for the node. */
  DBT_ENGINE_ERROR: { retryable: true },
  /** A worker could not ask the run's workflow for its env (RUN_ENV_QUERY): retried. */
  RUN_ENV_UNAVAILABLE: { retryable: true },
  /** The executor task was cancelled (activity cancellation or shutdown). */
  CANCELLED: { retryable: false },
  /** Worker-side configuration error (environment variables). Fatal at startup. */
  CONFIG_ERROR: { retryable: false },
  /** Object-store (s3://, gs://) I/O failed: network, throttling, server error. Thrown by the artifact store. */
  ARTIFACT_STORE_ERROR: { retryable: true },
  /** An object-store bucket or key does not exist. Thrown by the artifact store. */
  ARTIFACT_NOT_FOUND: { retryable: false },
  /** `local`'s warm daemon did not start, answer or stop (its log says why). Thrown by the CLI. */
  LOCAL_DAEMON_ERROR: { retryable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

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
