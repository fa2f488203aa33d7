// Input errors found at plan time, before any node runs: characters no dbt selector contains,
// a target the profile does not have, and dbt errors whose message is a Python traceback
// (cut to the exception, so a run's failure stays short and readable).
import type { ErrorCode } from '../../shared/errors.js';
import { codeOf } from '../../shared/failures.js';
import type { RunRequest } from '../../shared/input.js';

// Control characters and shell/redirect metacharacters are never part of dbt's selector grammar.
const BAD_SELECTOR_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f;`<>\\]/;

/** A message naming the bad selector field, or null when both look like selectors. */
export function selectorCharacterError(request: Pick<RunRequest, 'select' | 'exclude'>): string | null {
  for (const field of ['select', 'exclude'] as const) {
    const value = request[field];
    const bad = value === null ? null : BAD_SELECTOR_CHARS.exec(value);
    if (bad) return `input.${field} contains a character dbt selectors never use (${JSON.stringify(bad[0])} at position ${bad.index})`;
  }
  return null;
}

const UNKNOWN_TARGET = /The profile '([^']+)' does not have a target named '([^']+)'\.(?: The valid target names for this profile are:((?:\s*-\s*\S+)+))?/;

/** A plan failure as the run reports it: input errors recognised, tracebacks cut. */
export function planFailure(code: ErrorCode, message: string): { code: ErrorCode; message: string } {
  const target = UNKNOWN_TARGET.exec(message);
  if (target) {
    const valid = (target[3] ?? '').split(/\s*-\s*/).map((s) => s.trim()).filter(Boolean);
    return { code: codeOf({ kind: 'invalid-input' }), message: `input.target: the profile '${target[1]}' has no target named '${target[2]}'${valid.length ? ` (targets: ${valid.join(', ')})` : ''}` };
  }
  return { code, message: withoutTraceback(message) };
}

/** "…Traceback (most recent call last): … SomeError: why" becomes "… SomeError: why". */
export function withoutTraceback(message: string): string {
  const at = message.indexOf('Traceback (most recent call last):');
  if (at < 0) return message;
  const lines = message.slice(at).split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const last = [...lines].reverse().find((l) => !/^\s/.test(l) && !l.startsWith('Traceback')) ?? lines[lines.length - 1] ?? '';
  return `${message.slice(0, at).trimEnd()}${at > 0 ? ' ' : ''}${last.trim()} (traceback trimmed)`;
}
