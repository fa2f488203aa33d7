// Temporal's size limits and the pure helpers that keep what we send under them: search
// attribute values (2 KB per Keyword on the default server), memo fields, failure messages.

/** A Keyword search attribute value: the server rejects values over 2,048 bytes. */
export const SEARCH_ATTRIBUTE_MAX_BYTES = 2_000;
/** One string field of the `command` memo (the server caps a whole memo at 32 KB). */
export const MEMO_FIELD_MAX_BYTES = 4_000;
/** A failure's message: short enough to read in the UI and in `temporal workflow show`. */
export const FAILURE_MESSAGE_MAX_CHARS = 4_000;
/** A failure's stack trace (a Python traceback inside dbt's message is kept in part). */
export const FAILURE_STACK_MAX_CHARS = 8_000;

/** UTF-8 length of `s` without TextEncoder (workflow-safe). */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** `s` cut to at most `maxBytes` of UTF-8 (whole characters), with a trailing `…` when cut. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  let n = 3; // the ellipsis
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (n + len > maxBytes) break;
    n += len;
    out += ch;
  }
  return `${out}…`;
}

/** Keeps the head and the tail of a long text (where a traceback's cause is), noting what was cut. */
export function boundText(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  const tail = Math.floor(maxChars / 3);
  const head = maxChars - tail - 40;
  return `${s.slice(0, head)}\n… [${s.length - head - tail} characters trimmed] …\n${s.slice(s.length - tail)}`;
}

/** A short description of a value for an error message (never the whole value). */
export function describeValue(value: unknown, maxChars = 80): string {
  if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value)) return `binary data (${value.byteLength} bytes)`;
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… (${text.length} characters)`;
}
