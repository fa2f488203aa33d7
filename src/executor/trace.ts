// Profiling aid: with DBTT_TRACE_FILE set, named wall-clock marks (epoch ms) per node are
// appended to that file as JSON lines (from any thread); a no-op otherwise.
import { appendFileSync } from 'node:fs';

const FILE = process.env['DBTT_TRACE_FILE'];
export const tracing = Boolean(FILE);
export const nowMs = (): number => performance.timeOrigin + performance.now();

export function trace(uid: string, where: string, marks: Record<string, unknown>): void {
  if (FILE) appendFileSync(FILE, `${JSON.stringify({ uid, where, ...marks })}\n`);
}
