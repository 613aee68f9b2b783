import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Logger, pino } from 'pino';
import type { HeraldConfig } from './config.ts';

/**
 * Structured logs (pino). Secrets never reach a log line: request
 * authorization headers and anything named like a secret are censored here,
 * whatever the caller passes.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.secret',
  '*.secrets',
  '*.apiKey',
  '*.token',
  'secret',
  'token',
  'apiKey',
];

export function createLogger(config: Pick<HeraldConfig, 'logLevel' | 'logFile'>): Logger {
  const options = { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (!config.logFile) return pino(options);
  mkdirSync(dirname(config.logFile), { recursive: true });
  return pino(options, pino.destination({ dest: config.logFile, sync: false, mkdir: true }));
}

export type { Logger };
