// The informative part of dbt's console output, for failure messages (their codes come from
// shared/failures.ts).

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
