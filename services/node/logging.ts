import type { FastifyServerOptions } from 'fastify'
import type { NodeConfig } from './config.ts'

/**
 * Paths pino removes from every log line: bearer tokens, peer assertions and anything that may hold
 * personal data from a request body. Logs are for operators, never a copy of disclosed records.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'assertion',
  '*.assertion',
  'body',
  '*.body',
  'variables',
  '*.variables',
  'privateKey',
  '*.privateKey',
  'd',
  '*.d',
]

export function loggerOptions(config: NodeConfig): FastifyServerOptions['logger'] {
  return {
    level: config.logging.level,
    base: { agency: config.agency },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  }
}
