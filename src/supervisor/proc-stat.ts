// One reading of /proc/<pid>/stat (Linux), for the start-up sweep's zombie check and the
// benchmark's process accounting.
import { readFileSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name: [0] is the state (R, S, Z, ...), [1]
 * the parent pid, and so on (proc(5)'s field n is [n - 3]). Null when the process is gone or
 * there is no /proc.
 */
export function procStatFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
  } catch {
    return null;
  }
}
