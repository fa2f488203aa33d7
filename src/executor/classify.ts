// Maps dbt error messages to stable error codes: transient problems retry, the rest do not.
import type { ErrorCode } from '../shared/errors.js';

/** Signatures of warehouse/network problems that may go away on retry. */
const TRANSIENT_PATTERNS: readonly RegExp[] = [
  /could not set lock on file/i, // DuckDB: another process holds the database file
  /connection (refused|reset|closed|timed out)/i,
  /could not connect to server/i,
  /server closed the connection unexpectedly/i,
  /could not translate host name/i,
  /the database system is (starting up|shutting down)/i,
  /terminating connection due to administrator command/i,
  /broken pipe/i,
  /\btimed? ?out\b/i,
  /too many (connections|requests)/i,
  /rate limit/i,
  /service unavailable/i,
  /deadlock detected/i,
  /could not serialize access/i,
  /try again/i,
];

/** Classifies a failed node's message; compilation and SQL errors are permanent. */
export function classifyDbtError(message: string): ErrorCode {
  if (TRANSIENT_PATTERNS.some((p) => p.test(message))) return 'DBT_TRANSIENT_ERROR';
  if (/compilation error|parsing error|jinja|syntax error/i.test(message)) return 'DBT_COMPILATION_ERROR';
  if (/database error|runtime error|binder error|catalog error|conversion error/i.test(message)) return 'DBT_DATABASE_ERROR';
  if (/profile|target|env var|vars|dbt_project\.yml|could not find/i.test(message)) return 'DBT_CONFIGURATION_ERROR';
  return 'DBT_DATABASE_ERROR';
}

/** The informative tail of dbt's console output (ANSI codes and timestamps removed). */
export function outputTail(output: string, maxLines = 25): string {
  const lines = output
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.replace(/^\d{2}:\d{2}:\d{2}\s+/, '').trimEnd())
    .filter((l) => l.trim() !== '');
  const start = lines.findIndex((l) => /Encountered an error|Error/i.test(l));
  const picked = start >= 0 ? lines.slice(start) : lines;
  return picked.slice(-maxLines).join('\n');
}
