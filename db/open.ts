/**
 * The database opener: the only module that imports a database driver. With no URL (or `memory://`)
 * it opens in-memory PGlite, with a folder path file-backed PGlite, with `postgres://` a pg pool.
 * Migrations are applied on open, so every caller sees the same schema on either driver.
 */
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { type Logger, sql } from 'drizzle-orm'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import * as schema from './schema/index.ts'

export type Schema = typeof schema
export type Database = PgDatabase<PgQueryResultHKT, Schema>
export type DriverName = 'pglite' | 'postgres'

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean
  /** PGlite only: start from a dumped data directory (a migrated template) instead of running initdb. */
  loadDataDir?: Blob
  /** PostgreSQL only: the most connections the pool opens. */
  poolMax?: number
  /** PostgreSQL only: `application_name`, shown in pg_stat_activity. */
  applicationName?: string
  /** Sees every statement drizzle sends (tests count them to catch N+1 queries). */
  logger?: Logger
}

export interface DatabaseHandle {
  db: Database
  driver: DriverName
  /** Where the data lives, without credentials: `memory`, a folder, or `host:port/database`. */
  location: string
  /** Bulk-load CSV text (RFC 4180, no header) into `table (columns)` with COPY, on either driver. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>
  /** PGlite only: the data directory as a tarball, to clone a migrated template quickly. */
  dumpDataDir(): Promise<Blob>
  /** Connections in use, idle and waiting, for metrics (PGlite reports one in use). */
  poolStats(): { total: number; idle: number; waiting: number }
  close(): Promise<void>
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

/** Key of the advisory lock that serialises migrations when several replicas start at once. */
const migrationLockKey = 7_404_211

const identifierPattern = /^[a-z_][a-z0-9_]*$/

function quotedCopyTarget(table: string, columns: readonly string[]): string {
  for (const name of [table, ...columns]) {
    if (!identifierPattern.test(name)) throw new Error(`copyCsv: "${name}" is not a plain SQL identifier`)
  }
  return `"${table}" (${columns.map((c) => `"${c}"`).join(', ')})`
}

export function describeUrl(url: string | undefined): string {
  if (!url || url === 'memory://') return 'memory'
  if (!/^postgres(ql)?:\/\//.test(url)) return url
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`
}

export async function openDatabase(url?: string, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const { migrate = true } = options
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url, migrate, options)
  return openPglite(url && url !== 'memory://' ? url : undefined, migrate, options)
}

async function openPglite(
  dataDir: string | undefined,
  migrate: boolean,
  options: OpenOptions,
): Promise<DatabaseHandle> {
  const client = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  })
  await client.waitReady
  const db = drizzlePglite(client, { schema, logger: options.logger }) as unknown as Database
  if (migrate) await migratePglite(drizzlePglite(client), { migrationsFolder })
  return {
    db,
    driver: 'pglite',
    location: dataDir ?? 'memory',
    async copyCsv(table, columns, csv) {
      await client.query(`COPY ${quotedCopyTarget(table, columns)} FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      })
    },
    async dumpDataDir() {
      return client.dumpDataDir('none')
    },
    poolStats: () => ({ total: 1, idle: 0, waiting: 0 }),
    close: () => client.close(),
  }
}

async function openPostgres(url: string, migrate: boolean, options: OpenOptions): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'jaring',
  })
  // An idle client that loses its connection emits on the pool; without a listener the process dies.
  pool.on('error', () => {})
  if (migrate) {
    const client = await pool.connect()
    try {
      await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey])
      await migratePg(drizzlePg(client), { migrationsFolder })
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => {})
      client.release()
    }
  }
  const db = drizzlePg(pool, { schema, logger: options.logger }) as unknown as Database
  return {
    db,
    driver: 'postgres',
    location: describeUrl(url),
    async copyCsv(table, columns, csv) {
      const client = await pool.connect()
      try {
        await new Promise<void>((resolve, reject) => {
          const stream = client.query(
            copyFrom(`COPY ${quotedCopyTarget(table, columns)} FROM STDIN WITH (FORMAT csv)`),
          )
          stream.on('error', reject)
          stream.on('finish', resolve)
          stream.end(csv)
        })
      } finally {
        client.release()
      }
    },
    dumpDataDir() {
      return Promise.reject(new Error('dumpDataDir is for PGlite only'))
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  }
}

/** A cheap round trip, for readiness checks. */
export async function ping(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(sql`SELECT 1`)
}
