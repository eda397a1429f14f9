/**
 * Global setup, run once per test run in vitest's main process: chooses the database every suite
 * runs on, prepares a migrated template of it, prints the choice, and cleans up at the end.
 *
 * The choice: `TEST_DATABASE_URL` when set (`memory://` forces PGlite); else a PostgreSQL container
 * through testcontainers when a container runtime answers within a few seconds; else PGlite.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir, userInfo } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import type { TestProject } from 'vitest/node'
import { describeUrl, migrationsFolder, openDatabase } from '../../db/open.ts'
import {
  databaseNameOf,
  quoteIdentifier,
  type TestDatabasePlan,
  urlForDatabase,
} from '../support/database-plan.ts'
import { queryRows } from '../support/rows.ts'
import { excludedPostgresOnlySuites } from './postgres-only.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const templateCacheFolder = join(root, 'node_modules', '.cache', 'jaring')
const staleTemplateAgeMs = 60 * 60 * 1000
const containerImage = 'postgres:17-alpine'
const containerRuntimeDeadlineMs = 4000

interface PreparedDatabase {
  plan: TestDatabasePlan
  teardown(): Promise<void>
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prepared = await prepareDatabase(process.env.TEST_DATABASE_URL)
  console.log(`\nTest database: ${prepared.plan.description}\n`)
  const excluded = excludedPostgresOnlySuites(process.env.TEST_DATABASE_URL)
  if (excluded.length > 0)
    console.log(
      `Not run: ${excluded.join(', ')}, PostgreSQL-only (several processes on one database); ` +
        'they run when TEST_DATABASE_URL is a postgres:// URL.\n',
    )
  project.provide('jaringTestDatabase', prepared.plan)
  return prepared.teardown
}

async function prepareDatabase(url: string | undefined): Promise<PreparedDatabase> {
  if (url === 'memory://') return preparePglite('forced by TEST_DATABASE_URL=memory://')
  if (url) return preparePostgres(url, 'TEST_DATABASE_URL')
  const container = await startContainer()
  if (container) {
    const prepared = await preparePostgres(container.url, `a testcontainers container (${containerImage})`)
    return {
      plan: prepared.plan,
      async teardown() {
        await prepared.teardown()
        await container.stop()
      },
    }
  }
  return preparePglite('as there is no TEST_DATABASE_URL and no container runtime answers')
}

/**
 * A migrated PGlite data directory, cached under node_modules/.cache by a digest of everything that
 * shapes it, so only a change of migrations or driver pays the 3-5 s boot again.
 */
async function preparePglite(reason: string): Promise<PreparedDatabase> {
  const digest = await templateDigest()
  const templatePath = join(templateCacheFolder, `pglite-template-${digest}.tar`)
  if (!existsSync(templatePath)) await buildPgliteTemplate(templatePath)
  return {
    plan: {
      driver: 'pglite',
      label: 'PGlite',
      description: `PGlite, ${reason}; each test database is an in-memory clone of a migrated template`,
      templatePath,
    },
    teardown: async () => {},
  }
}

async function templateDigest(): Promise<string> {
  const hash = createHash('sha256')
  const files = (await readdir(migrationsFolder, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
  for (const file of [
    ...files,
    join(root, 'db', 'open.ts'),
    join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'),
    join(root, 'node_modules', 'drizzle-orm', 'package.json'),
  ]) {
    hash
      .update(relative(root, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

async function buildPgliteTemplate(templatePath: string): Promise<void> {
  const handle = await openDatabase()
  try {
    const tarball = Buffer.from(await (await handle.dumpDataDir()).arrayBuffer())
    await mkdir(templateCacheFolder, { recursive: true })
    await removeStaleTemplates()
    // Written aside and renamed, so a concurrent run never reads half a file.
    const partial = `${templatePath}.${process.pid}.partial`
    await writeFile(partial, tarball)
    await rename(partial, templatePath)
  } finally {
    await handle.close()
  }
}

/**
 * Templates of other migrations, once nobody can be using them: a run that started earlier (another
 * checkout state, another terminal) may still be cloning its own.
 */
async function removeStaleTemplates(): Promise<void> {
  const oldest = Date.now() - staleTemplateAgeMs
  for (const name of await readdir(templateCacheFolder)) {
    const path = join(templateCacheFolder, name)
    if (name.startsWith('pglite-template-') && (await stat(path)).mtimeMs < oldest)
      await rm(path, { force: true })
  }
}

/**
 * Creates one migrated template database next to the one the URL names; every test database is a
 * copy of it. At the end, drops every database this run created (also those a crashed suite left).
 */
async function preparePostgres(adminUrl: string, source: string): Promise<PreparedDatabase> {
  const server = new URL(adminUrl)
  const address = `${server.hostname}:${server.port || '5432'}`
  const databasePrefix = `${databaseNameOf(adminUrl).slice(0, 30)}_t${randomBytes(3).toString('hex')}`
  const templateDatabase = `${databasePrefix}_template`
  const admin = await openDatabase(adminUrl, {
    migrate: false,
    poolMax: 1,
    applicationName: 'jaring-test-setup',
  })
  let version: string
  try {
    const [row] = await queryRows<{ server_version: string }>(admin, sql`SHOW server_version`)
    version = (row?.server_version ?? 'unknown').split(' ')[0]!
    await admin.db.execute(sql.raw(`CREATE DATABASE ${quoteIdentifier(templateDatabase)}`))
  } catch (error) {
    await admin.close()
    throw new Error(
      `The test database ${describeUrl(adminUrl)} cannot be used: ${(error as Error).message}. ` +
        'The harness needs a reachable server and a role that may CREATE DATABASE.',
      { cause: error },
    )
  }
  await admin.close()
  const template = await openDatabase(urlForDatabase(adminUrl, templateDatabase), { poolMax: 1 })
  await template.close()
  return {
    plan: {
      driver: 'postgres',
      label: `PostgreSQL ${version} (${address})`,
      description:
        `PostgreSQL ${version} at ${describeUrl(adminUrl)}, from ${source}; each test database is created ` +
        `from a migrated template (${templateDatabase}) and dropped afterwards`,
      adminUrl,
      templateDatabase,
      databasePrefix,
    },
    teardown: () => dropDatabasesOfRun(adminUrl, databasePrefix),
  }
}

async function dropDatabasesOfRun(adminUrl: string, databasePrefix: string): Promise<void> {
  const admin = await openDatabase(adminUrl, {
    migrate: false,
    poolMax: 1,
    applicationName: 'jaring-test-setup',
  })
  try {
    const leftovers = await queryRows<{ datname: string }>(
      admin,
      sql`SELECT datname FROM pg_database WHERE starts_with(datname, ${databasePrefix})`,
    )
    for (const { datname } of leftovers) {
      await admin.db.execute(sql.raw(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`))
    }
  } finally {
    await admin.close()
  }
}

/**
 * Where testcontainers would look for a runtime. Checked first because importing testcontainers and
 * asking it costs time, and a DOCKER_HOST that accepts connections but never answers hangs it.
 */
function containerRuntimeMayExist(): boolean {
  if (process.env.DOCKER_HOST) return true
  const home = homedir()
  const runtimeDir = process.env.XDG_RUNTIME_DIR
  return [
    '/var/run/docker.sock',
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(userInfo().uid), 'docker.sock'),
    ...(runtimeDir ? [join(runtimeDir, 'docker.sock')] : []),
    join(home, '.testcontainers.properties'),
  ].some((path) => existsSync(path))
}

async function startContainer(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (!containerRuntimeMayExist()) return undefined
  if (!(await containerRuntimeAnswers())) {
    console.log(`No container runtime answered within ${containerRuntimeDeadlineMs / 1000} s: using PGlite.`)
    return undefined
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
  const container = await new PostgreSqlContainer(containerImage).start()
  return {
    url: container.getConnectionUri(),
    stop: async () => {
      await container.stop()
    },
  }
}

/**
 * Asks testcontainers in a child process, so that a runtime that never answers can be killed: in
 * this process its open socket would keep vitest from exiting.
 */
function containerRuntimeAnswers(): Promise<boolean> {
  const probe =
    "import('testcontainers').then((tc) => tc.getContainerRuntimeClient()).then(() => process.exit(0), () => process.exit(1))"
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', probe],
      { cwd: root, timeout: containerRuntimeDeadlineMs },
      (error) => resolve(!error),
    )
  })
}
