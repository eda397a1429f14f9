/**
 * A real node for the operations suites: the real app (auth included) on a fresh test database,
 * with a development issuer for real tokens and a pino logger whose lines the test reads back.
 * Unlike `buildTestApp`, it lets a suite add routes before the app is ready, so the plugin is seen
 * handling routes of any shape.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../../../services/node/app.ts'
import { type DevTokenRequest, mintDevToken } from '../../../services/node/auth/dev-issuer.ts'
import type { NodeConfig } from '../../../services/node/config.ts'
import { redactedPaths } from '../../../services/node/logging.ts'
import { testNodeConfig, writeTestKeys } from '../../support/app.ts'
import { openTestDatabase, type TestDatabase } from '../../support/database.ts'

export interface LogLine {
  level: number
  msg: string
  requestId?: string
  [field: string]: unknown
}

export interface CapturedLog {
  logger: pino.Logger
  /** Every line as written. */
  raw: string[]
  lines(): LogLine[]
}

/** Pino writes each line whole: one `write` per line. */
export function capturingLogger(level = 'info'): CapturedLog {
  const raw: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk))
      done()
    },
  })
  const logger = pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, stream)
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as LogLine) }
}

export interface OperationsNode {
  app: FastifyInstance
  config: NodeConfig
  database: TestDatabase
  log: CapturedLog
  token(request: DevTokenRequest): Promise<string>
  close(): Promise<void>
}

export interface OperationsNodeOptions {
  /** Config sections replacing the test defaults (rate limits are on unless a suite says otherwise). */
  config?: Record<string, unknown>
  /** Routes or hooks to add before the app is ready. */
  extend?: (app: FastifyInstance) => void
  /** A database to use instead of a fresh one; the caller closes it. */
  database?: TestDatabase
}

/** A test node config (TH-RTP, rate limits on) with development issuer keys in a temporary folder. */
export async function operationsConfig(
  overrides: Record<string, unknown> = {},
): Promise<{ config: NodeConfig; removeKeys(): Promise<void> }> {
  const keyFolder = await mkdtemp(join(tmpdir(), 'jaring-operations-'))
  await writeTestKeys(keyFolder)
  return {
    config: testNodeConfig(keyFolder, { rateLimit: { enabled: true }, ...overrides }),
    removeKeys: () => rm(keyFolder, { recursive: true, force: true }),
  }
}

export async function buildOperationsNode(options: OperationsNodeOptions = {}): Promise<OperationsNode> {
  const { config, removeKeys } = await operationsConfig(options.config)
  const database = options.database ?? (await openTestDatabase())
  const log = capturingLogger()
  const app = await buildApp(config, { database, logger: log.logger })
  options.extend?.(app)
  await app.ready()
  return {
    app,
    config,
    database,
    log,
    token: (request) => mintDevToken(config, request),
    async close() {
      await app.close()
      if (!options.database) await database.close()
      await removeKeys()
    },
  }
}
