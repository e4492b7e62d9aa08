import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

export type { Logger } from 'pino';

/**
 * createLogger returns the process logger: one JSON object per line on stdout, `level` as a
 * name (users grep for "level":"warn"), ISO timestamps. Pass a destination in tests.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { component: 'operator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
