/**
 * Scratch PostgreSQL databases for the benchmarks: created under a name of this run's own and
 * dropped at the end of the run. The server is `BENCH_DATABASE_URL`, else the local one.
 */
import pg from 'pg'
import type { BenchContext } from './context.ts'

export const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'jaring-bench' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function serverVersion(): Promise<string> {
  return withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
    return rows[0]?.server_version ?? 'unknown'
  })
}

let counter = 0

/** Creates an empty database, dropped when the run ends; returns its URL. */
export async function scratchDatabase(context: BenchContext, label: string): Promise<string> {
  counter += 1
  const name = `jaring_bench_${process.pid}_${counter}_${label.replaceAll(/[^a-z0-9]/g, '')}`
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`))
  context.defer(() =>
    withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
      () => undefined,
    ),
  )
  return databaseUrl(name)
}
