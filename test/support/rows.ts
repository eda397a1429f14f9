import type { SQLWrapper } from 'drizzle-orm'
import type { DatabaseHandle } from '../../db/open.ts'

/**
 * Rows of a raw query. `db.execute` is typed `unknown` across the two drivers, but both results
 * (pg's QueryResult and PGlite's Results) carry the rows in `rows`.
 */
export async function queryRows<Row extends Record<string, unknown>>(
  handle: Pick<DatabaseHandle, 'db'>,
  query: SQLWrapper,
): Promise<Row[]> {
  const result = (await handle.db.execute<Row>(query)) as { rows: Row[] }
  return result.rows
}
