import { existsSync } from 'node:fs'
import { count } from 'drizzle-orm'
import { afterAll, describe, expect, test } from 'vitest'
import { openDatabase } from '../../db/open.ts'
import { cases, persons } from '../../db/schema/index.ts'
import {
  createTestDatabaseUrl,
  openTestDatabase,
  testDatabaseDriver,
  testDatabaseLabel,
} from '../support/database.ts'

const aCase = (externalRef: string) => ({
  agency: 'VN-MPS',
  externalRef,
  title: 'Online investment scam',
  crimeCategory: 'INTERNATIONAL_ECONOMIC_CRIME' as const,
  country: 'VN',
  openedOn: '2026-02-02',
  openedMonth: '2026-02-01',
})

const caseCount = async (handle: Awaited<ReturnType<typeof openTestDatabase>>) =>
  (await handle.db.select({ n: count() }).from(cases))[0]?.n

describe(`the test database harness on ${testDatabaseLabel()}`, () => {
  const opened: { close(): Promise<void> }[] = []
  afterAll(async () => {
    for (const handle of opened) await handle.close()
  })

  test('gives each caller a database of its own', async () => {
    const [first, second] = [await openTestDatabase(), await openTestDatabase()]
    opened.push(first, second)
    expect(first.driver).toBe(testDatabaseDriver())
    await first.db.insert(cases).values(aCase('VN-MPS/1'))
    expect(await caseCount(first)).toBe(1)
    expect(await caseCount(second)).toBe(0)
  })

  test('reset empties every table and keeps the schema', async () => {
    const handle = await openTestDatabase()
    opened.push(handle)
    await handle.db.insert(cases).values([aCase('VN-MPS/1'), aCase('VN-MPS/2')])
    await handle.db.insert(persons).values({ agency: 'VN-MPS', externalRef: 'VN-MPS/P/1' })
    await handle.reset()
    expect(await caseCount(handle)).toBe(0)
    expect(await handle.db.select().from(persons)).toEqual([])
    await handle.db.insert(cases).values(aCase('VN-MPS/1'))
    expect(await caseCount(handle)).toBe(1)
  })

  test('hands a statement logger to drizzle', async () => {
    const statements: string[] = []
    const handle = await openTestDatabase({ logger: { logQuery: (query) => statements.push(query) } })
    opened.push(handle)
    await handle.db.select().from(persons)
    expect(statements).toEqual([expect.stringMatching(/from "persons"/)])
  })

  test('a database by URL opens migrated, keeps its data across opens, and is gone once dropped', async () => {
    const location = await createTestDatabaseUrl()
    const writer = await openDatabase(location.url)
    await writer.db.insert(cases).values(aCase('VN-MPS/1'))
    await writer.close()
    const reader = await openDatabase(location.url, { migrate: false })
    expect((await reader.db.select({ n: count() }).from(cases))[0]?.n).toBe(1)
    await reader.close()
    await location.drop()
    if (testDatabaseDriver() === 'pglite') {
      expect(existsSync(location.url)).toBe(false)
    } else {
      const gone = await openDatabase(location.url, { migrate: false })
      await expect(gone.db.select().from(cases)).rejects.toMatchObject({ cause: { code: '3D000' } })
      await gone.close()
    }
  })
})
