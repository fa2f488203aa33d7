// Structured JSON logs on stderr (one line per event). Secrets are redacted twice: known
// secret fields by path, and every known secret value in the final line.
import { Writable } from 'node:stream';
import { destination, pino } from 'pino';
import type { Logger } from 'pino';
import type { Redactor } from './redact.js';

export type { Logger };

const REDACT_PATHS = ['password', '*.password', 'apiKey', '*.apiKey', 'token', '*.token', '*.key', 'env', '*.env', 'headers', '*.headers', 'secrets', '*.secrets'];

/** A stderr stream that replaces secret values in each line before writing it. */
function redactingStderr(redactor: Redactor): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      process.stderr.write(redactor.text(chunk.toString('utf8')), () => done());
    },
  });
}

/** A logger on stderr, or appending to `file` (the CLI's `local` keeps the worker's logs there). */
export function createLogger(level: string = 'info', redactor?: Redactor, file?: string): Logger {
  const options = {
    level,
    base: { service: 'dbt-temporal' },
    redact: { paths: REDACT_PATHS, censor: '***' },
  };
  if (file !== undefined) return pino(options, destination({ dest: file, sync: true, mkdir: true }));
  return redactor ? pino(options, redactingStderr(redactor)) : pino(options, destination(2));
}
