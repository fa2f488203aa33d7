// Structured JSON logs on stderr (one line per event), with secrets redacted.
import { destination, pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'dbt-temporal' },
      redact: { paths: ['*.password', '*.apiKey', '*.token', '*.env', 'env'], censor: '***' },
    },
    destination(2),
  );
}
