/**
 * The database harness every database suite uses, so that each suite is written once and runs on
 * PGlite and on PostgreSQL. The global setup (test/setup/global.ts) chooses the database and
 * prepares a migrated template; here each test database is a fresh, isolated copy of it:
 * an in-memory PGlite clone (~0.4-0.9 s), or a PostgreSQL database created from the template
 * (~30 ms) and dropped when closed. Suites running in parallel never share a database.
 */
import { openAsBlob } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, inject } from 'vitest'
import { type DatabaseHandle, type DriverName, type OpenOptions, openDatabase } from '../../db/open.ts'
import { emptyChainHash } from '../../db/schema/audit.ts'
import { quoteIdentifier, type TestDatabasePlan, urlForDatabase } from './database-plan.ts'
import { queryRows } from './rows.ts'

export interface TestDatabase extends DatabaseHandle {
  /** Empties every table (identities restarted), leaving the migrated schema in place. */
  reset(): Promise<void>
}

/** A migrated database that another process (a CLI run, a node under test) can open by URL. */
export interface TestDatabaseLocation {
  /** A `postgres://` URL, or a PGlite data folder. */
  url: string
  /** Deletes the database; call it once everything that opened the URL has closed. */
  drop(): Promise<void>
}

function plan(): TestDatabasePlan {
  const provided = inject('jaringTestDatabase')
  if (!provided) throw new Error('No test database plan: run the tests through vitest.config.ts (npm test).')
  return provided
}

/** Which database the run uses, in words, for messages and test names. */
export function testDatabaseLabel(): string {
  return plan().label
}

export function testDatabaseDriver(): DriverName {
  return plan().driver
}

/** What a suite may choose about its test database; the harness decides the rest. */
export type TestDatabaseOptions = Pick<OpenOptions, 'logger' | 'poolMax'>

/** A fresh, migrated, isolated database; close it when done (on PostgreSQL closing drops it). */
export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const current = plan()
  if (current.driver === 'pglite') {
    const handle = await openDatabase(undefined, {
      loadDataDir: await pgliteTemplate(current.templatePath),
      migrate: false,
      logger: options.logger,
    })
    return withReset(handle, () => handle.close())
  }
  const database = await createPostgresDatabase(current)
  const handle = await openDatabase(urlForDatabase(current.adminUrl, database), {
    migrate: false,
    poolMax: options.poolMax ?? 4,
    applicationName: 'jaring-test',
    logger: options.logger,
  })
  return withReset(handle, async () => {
    await handle.close()
    await dropPostgresDatabase(current.adminUrl, database)
  })
}

/**
 * A fresh, migrated database addressed by URL, for code under test that opens its database itself:
 * on PGlite a data folder in the system temporary directory, on PostgreSQL a database of its own.
 */
export async function createTestDatabaseUrl(): Promise<TestDatabaseLocation> {
  const current = plan()
  if (current.driver === 'pglite') {
    const folder = await mkdtemp(join(tmpdir(), 'jaring-test-'))
    const handle = await openDatabase(folder, {
      loadDataDir: await pgliteTemplate(current.templatePath),
      migrate: false,
    })
    await handle.close()
    return { url: folder, drop: () => rm(folder, { recursive: true, force: true }) }
  }
  const database = await createPostgresDatabase(current)
  return {
    url: urlForDatabase(current.adminUrl, database),
    drop: () => dropPostgresDatabase(current.adminUrl, database),
  }
}

/**
 * Opens a test database before the suite's tests and closes it after them. Returns an accessor,
 * because the database exists only once `beforeAll` has run.
 */
export function testDatabaseForSuite(options: TestDatabaseOptions = {}): () => TestDatabase {
  let database: TestDatabase | undefined
  beforeAll(async () => {
    database = await openTestDatabase(options)
  })
  afterAll(async () => {
    await database?.close()
  })
  return () => {
    if (!database) throw new Error('The test database is open only inside tests and hooks of the suite.')
    return database
  }
}

/**
 * Empties every table of the public schema in one statement; the migrations' bookkeeping stays, and
 * the audit chain starts again from its empty head. The audit tables refuse TRUNCATE through their
 * triggers, so the reset runs as a replica session (superuser only, as the test role is), which
 * does not fire them.
 */
export async function truncateAll(handle: Pick<DatabaseHandle, 'db'>): Promise<void> {
  const tables = await queryRows<{ tablename: string }>(
    handle,
    sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  )
  if (tables.length === 0) return
  const names = tables.map(({ tablename }) => quoteIdentifier(tablename)).join(', ')
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`)
    await tx.execute(sql.raw(`TRUNCATE ${names} RESTART IDENTITY CASCADE`))
    await tx.execute(sql`INSERT INTO audit_chain_head (id, seq, row_hash) VALUES (1, 0, ${emptyChainHash})`)
  })
}

function withReset(handle: DatabaseHandle, close: () => Promise<void>): TestDatabase {
  return { ...handle, reset: () => truncateAll(handle), close }
}

let templateBlob: Promise<Blob> | undefined

/** Read once per worker; the blob is file-backed, so each clone streams it from disk. */
function pgliteTemplate(path: string): Promise<Blob> {
  templateBlob ??= openAsBlob(path)
  return templateBlob
}

async function createPostgresDatabase(
  current: Extract<TestDatabasePlan, { driver: 'postgres' }>,
): Promise<string> {
  const database = `${current.databasePrefix}_${crypto.randomUUID().slice(0, 8)}`
  await withAdmin(current.adminUrl, (admin) =>
    admin.db.execute(
      sql.raw(
        `CREATE DATABASE ${quoteIdentifier(database)} TEMPLATE ${quoteIdentifier(current.templateDatabase)}`,
      ),
    ),
  )
  return database
}

async function dropPostgresDatabase(adminUrl: string, database: string): Promise<void> {
  await withAdmin(adminUrl, (admin) =>
    admin.db.execute(sql.raw(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`)),
  )
}

async function withAdmin(adminUrl: string, work: (admin: DatabaseHandle) => Promise<unknown>): Promise<void> {
  const admin = await openDatabase(adminUrl, {
    migrate: false,
    poolMax: 1,
    applicationName: 'jaring-test-harness',
  })
  try {
    await work(admin)
  } finally {
    await admin.close()
  }
}
