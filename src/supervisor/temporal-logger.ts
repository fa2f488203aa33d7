// Routes the Temporal SDK's logs (including forwarded Core logs and workflow/activity context
// loggers) into our pino logger, one JSON line per event.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger.js';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
};

export function temporalLogger(log: Logger): TemporalLogger {
  const sdk = log.child({ component: 'temporal' });
  const emit = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    // Object spread copies only string keys: the SDK's symbol-keyed timestamp is dropped.
    sdk[LEVELS[level] ?? 'info']({ ...meta }, message);
  };
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}
