/**
 * `jaring migrate`: brings a node's database up to the current schema. `serve` migrates on start
 * as well; this command lets an operator do it beforehand (a release step, a new PostgreSQL).
 * Several replicas migrating at once are serialised by an advisory lock (db/open.ts).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import type { DatabaseHandle } from '../../../db/open.ts'
import { databaseUrl } from '../../node/config.ts'
import { CliError, exitCodes } from '../cli-error.ts'
import { loadNodeConfig, reasonOf } from './serve.ts'

interface MigrateOptions {
  config: string
  database?: string
}

async function latestMigration(migrationsFolder: string): Promise<string> {
  const journal = JSON.parse(
    await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: { tag: string }[]
  }
  return journal.entries.at(-1)?.tag ?? '(none)'
}

function targetUrl(options: MigrateOptions): string {
  if (options.database) {
    return /^postgres(ql)?:\/\//.test(options.database) || options.database === 'memory://'
      ? options.database
      : path.resolve(options.database)
  }
  return databaseUrl(loadNodeConfig(options.config)) ?? 'memory://'
}

export async function migrate(options: MigrateOptions): Promise<string> {
  const url = targetUrl(options)
  if (url === 'memory://') {
    throw new CliError(
      'database.url: names no database, so the node runs on in-memory PGlite, migrated afresh at every ' +
        'start. Give a PGlite folder or a postgres:// URL (--database, database.url or JARING_DATABASE_URL).',
      exitCodes.config,
    )
  }
  // Loaded on use: the drivers are heavy, and `jaring --help` or `init` do not need them.
  const { describeUrl, migrationsFolder, openDatabase } = await import('../../../db/open.ts')
  let database: DatabaseHandle
  try {
    database = await openDatabase(url, { poolMax: 1, applicationName: 'jaring-migrate' })
  } catch (error) {
    throw new CliError(
      `cannot migrate the database at ${describeUrl(url)}: ${reasonOf(error)}`,
      exitCodes.unavailable,
    )
  }
  await database.close()
  return `The ${database.driver} database at ${database.location} is up to date (latest migration ${await latestMigration(migrationsFolder)}).\n`
}

export function addMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description("Apply pending migrations to a node's database")
    .option('-c, --config <file>', 'the node.yaml whose database to migrate', 'node.yaml')
    .option('--database <url>', 'a PGlite folder or a postgres:// URL, instead of the config’s')
    .action(async (options: MigrateOptions) => {
      process.stdout.write(await migrate(options))
    })
}
