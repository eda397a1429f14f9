/**
 * The test app every node suite uses: the real app (`buildApp`) on a fresh test database (PGlite or
 * PostgreSQL, chosen by the harness), with a development issuer key in a temporary folder, so that
 * `token(role)` mints a real signed token that the node verifies like any other.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { buildApp } from '../../services/node/app.ts'
import { type DevTokenRequest, mintDevToken } from '../../services/node/auth/dev-issuer.ts'
import { writeSigningKeyFiles } from '../../services/node/auth/keys.ts'
import type { Role } from '../../services/node/auth/scopes.ts'
import { type NodeConfig, parseConfig } from '../../services/node/config.ts'
import { openTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.ts'

/** What a test token carries beyond its role (see `mintDevToken`). */
export type TokenClaims = Omit<DevTokenRequest, 'role'>

export interface TestApp {
  app: FastifyInstance
  config: NodeConfig
  database: TestDatabase
  /** A real token from the node's development issuer, for `Authorization: Bearer ...`. */
  token(role: Role, claims?: TokenClaims): Promise<string>
  close(): Promise<void>
}

export interface TestAppOverrides {
  /** Config settings merged over the test defaults (top-level sections replace whole). */
  config?: Record<string, unknown>
  /** A database to use instead of a fresh one; the caller closes it. */
  database?: TestDatabase
  /** Options of the fresh test database (a statement logger, to count SQL statements). */
  databaseOptions?: TestDatabaseOptions
  logger?: FastifyBaseLogger
}

export const testAgency = 'TH-RTP'

/** Writes the keys a test node's config names: the development issuer's and the node's federation key. */
export async function writeTestKeys(keyFolder: string): Promise<void> {
  await writeSigningKeyFiles(join(keyFolder, 'dev-issuer'))
  await writeSigningKeyFiles(join(keyFolder, 'federation'))
}

/** The config of a test node: TH-RTP, development issuer on, silent logs, rate limit off. */
export function testNodeConfig(keyFolder: string, overrides: Record<string, unknown> = {}): NodeConfig {
  return parseConfig(
    {
      agency: testAgency,
      name: 'Royal Thai Police (test)',
      country: 'TH',
      publicUrl: 'http://127.0.0.1:4102',
      listen: { host: '127.0.0.1', port: 0 },
      auth: {
        devIssuer: {
          enabled: true,
          privateKeyFile: join(keyFolder, 'dev-issuer.private.jwk.json'),
          publicJwksFile: join(keyFolder, 'dev-issuer.jwks.json'),
        },
      },
      federation: { privateKeyFile: join(keyFolder, 'federation.private.jwk.json') },
      rateLimit: { enabled: false },
      logging: { level: 'silent' },
      ...overrides,
    },
    keyFolder,
  )
}

export async function buildTestApp(overrides: TestAppOverrides = {}): Promise<TestApp> {
  const keyFolder = await mkdtemp(join(tmpdir(), 'jaring-test-app-'))
  await writeTestKeys(keyFolder)
  const config = testNodeConfig(keyFolder, overrides.config)
  const database = overrides.database ?? (await openTestDatabase(overrides.databaseOptions))
  const ownsDatabase = !overrides.database
  let app: FastifyInstance
  try {
    app = await buildApp(config, { database, ...(overrides.logger ? { logger: overrides.logger } : {}) })
    await app.ready()
  } catch (error) {
    if (ownsDatabase) await database.close()
    await rm(keyFolder, { recursive: true, force: true })
    throw error
  }
  const token = (role: Role, claims: TokenClaims = {}) => mintDevToken(config, { ...claims, role })

  return {
    app,
    config,
    database,
    token,
    async close() {
      await app.close()
      if (ownsDatabase) await database.close()
      await rm(keyFolder, { recursive: true, force: true })
    },
  }
}
