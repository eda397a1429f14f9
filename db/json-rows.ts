/**
 * `INSERT INTO table (...) SELECT ... FROM jsonb_to_recordset($1)`: any number of rows in one
 * parameter, for the hot and bulk inserts. Drizzle's insert builder spends tens of microseconds per
 * row building the statement (a check per value), and a multi-row VALUES list needs a parameter
 * per value (PostgreSQL allows 65,535); this costs one JSON.stringify. Every row gives the same
 * columns, named by their drizzle keys; each column's SQL type comes from the table's definition,
 * so the values are converted exactly as PostgreSQL converts the column's input (jsonb columns take
 * the JSON value as it is, arrays become arrays).
 */
import { type SQL, sql } from 'drizzle-orm'
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core'

const columnsCache = new WeakMap<PgTable, Map<string, { name: string; type: string }>>()

function columnOf(table: PgTable, key: string): { name: string; type: string } {
  let columns = columnsCache.get(table)
  if (!columns) {
    columns = new Map()
    columnsCache.set(table, columns)
  }
  let column = columns.get(key)
  if (!column) {
    const found = (table as unknown as Record<string, PgColumn | undefined>)[key]
    if (!found) throw new Error(`${getTableConfig(table).name} has no column ${key}`)
    column = { name: found.name, type: found.getSQLType() }
    columns.set(key, column)
  }
  return column
}

/** The INSERT statement of `rows` (at least one), followed by `tail` (ON CONFLICT, RETURNING). */
export function jsonRowsInsert(table: PgTable, rows: readonly Record<string, unknown>[], tail?: SQL): SQL {
  const keys = Object.keys(rows[0] ?? {})
  const columns = keys.map((key) => columnOf(table, key))
  const json = JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {}
      for (const [index, column] of columns.entries()) out[column.name] = row[keys[index] as string] ?? null
      return out
    }),
  )
  const names = sql.raw(columns.map((column) => `"${column.name}"`).join(', '))
  const record = sql.raw(columns.map((column) => `"${column.name}" ${column.type}`).join(', '))
  return sql`INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset(${json}::jsonb) AS x(${record}) ${tail ?? sql``}`
}
