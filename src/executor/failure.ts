// Executor failures as data: each call site says what happened (a FailureFact); the code comes
// from shared codeOf, in warm and subprocess mode alike.
import type { NodeResult } from '../shared/contracts.js';
import type { ExecutorError } from '../shared/executor-protocol.js';
import { codeOf } from '../shared/failures.js';
import type { FailureFact } from '../shared/failures.js';

/** The executor's error result for `fact`, with its message (and dbt's node result, if any). */
export function failed(fact: FailureFact, message: string, result?: NodeResult): ExecutorError {
  return { type: 'error', code: codeOf(fact), message, ...(result ? { result } : {}) };
}

/** dbt's own error, from its text (and the exception's class names where the engine caught it). */
export const dbtFailed = (text: string, message: string, errorTypes?: readonly string[] | null, result?: NodeResult): ExecutorError =>
  failed({ kind: 'dbt', message: text, errorTypes: errorTypes ?? null }, message, result);
