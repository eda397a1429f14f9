import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { is, sql } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { describe, expect, test } from 'vitest'
import { migrationsFolder } from '../../db/open.ts'
import { databaseEnums } from '../../db/schema/enums.ts'
import * as schema from '../../db/schema/index.ts'
import { vocabularies } from '../../schema/vocabulary.ts'
import { testDatabaseForSuite, testDatabaseLabel } from '../support/database.ts'
import { queryRows } from '../support/rows.ts'

const database = testDatabaseForSuite()

const tables = Object.values(schema).flatMap((value) => (is(value, PgTable) ? [getTableConfig(value)] : []))

describe(`the committed migrations applied on ${testDatabaseLabel()}`, () => {
  test('create every drizzle table with its columns, and nothing else', async () => {
    const columns = await queryRows<{ table_name: string; column_name: string }>(
      database(),
      sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    )
    const inDatabase = new Map<string, string[]>()
    for (const { table_name, column_name } of columns) {
      inDatabase.set(table_name, [...(inDatabase.get(table_name) ?? []), column_name])
    }
    expect(tables.length).toBeGreaterThanOrEqual(10)
    expect([...inDatabase.keys()].sort()).toEqual(tables.map((table) => table.name).sort())
    for (const table of tables) {
      expect(inDatabase.get(table.name)?.sort(), table.name).toEqual(
        table.columns.map((column) => column.name).sort(),
      )
    }
  })

  test('create every enum with the vocabulary’s values in the vocabulary’s order', async () => {
    const labels = await queryRows<{ enum_name: string; label: string }>(
      database(),
      sql`SELECT t.typname AS enum_name, e.enumlabel AS label
          FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
          JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = 'public'
          ORDER BY t.typname, e.enumsortorder`,
    )
    const inDatabase = new Map<string, string[]>()
    for (const { enum_name, label } of labels)
      inDatabase.set(enum_name, [...(inDatabase.get(enum_name) ?? []), label])
    const expected = new Map(
      Object.entries(databaseEnums).map(([vocabulary, pgEnum]) => [
        pgEnum.enumName,
        [...vocabularies[vocabulary as keyof typeof databaseEnums]],
      ]),
    )
    expect(inDatabase).toEqual(expected)
  })

  test('record every migration of the journal as applied', async () => {
    const journal = JSON.parse(await readFile(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
      entries: { tag: string }[]
    }
    const [applied] = await queryRows<{ count: number }>(
      database(),
      sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
    )
    expect(journal.entries.length).toBeGreaterThan(0)
    expect(applied?.count).toBe(journal.entries.length)
  })
})
