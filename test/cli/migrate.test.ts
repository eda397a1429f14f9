import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationsFolder, openDatabase } from '../../db/open.ts'
import {
  createTestDatabaseUrl,
  type TestDatabaseLocation,
  testDatabaseDriver,
  testDatabaseLabel,
} from '../support/database.ts'
import { queryRows } from '../support/rows.ts'
import { cliTimeoutMs, runJaring } from './run.ts'

async function latestMigrationTag(): Promise<string> {
  const journal = JSON.parse(await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'))
  return (journal.entries as { tag: string }[]).at(-1)?.tag ?? ''
}

describe('jaring migrate', { timeout: cliTimeoutMs }, () => {
  let workspace: string
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-migrate-'))
  })
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  // A fresh PGlite folder runs initdb (3-5 s, more on a busy machine): one test does it.
  it('creates and migrates the PGlite folder a node.yaml names, relative to the file', async () => {
    expect((await runJaring(['init', 'th', '--agency', 'TH-RTP'], { cwd: workspace })).code).toBe(0)
    const folder = path.join(workspace, 'th', 'data')
    const expected = `The pglite database at ${folder} is up to date (latest migration ${await latestMigrationTag()}).\n`

    const fromConfig = await runJaring(['migrate', '--config', 'th/node.yaml'], { cwd: workspace })
    expect(fromConfig.stderr).toBe('')
    expect(fromConfig.code).toBe(0)
    expect(fromConfig.stdout).toBe(expected)

    const fromOption = await runJaring(['migrate', '--database', 'data'], { cwd: path.join(workspace, 'th') })
    expect(fromOption.code).toBe(0)
    expect(fromOption.stdout).toBe(expected)

    const database = await openDatabase(folder, { migrate: false })
    try {
      const tables = await queryRows<{ name: string }>(
        database,
        sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
      )
      expect(tables.map((table) => table.name)).toContain('cases')
    } finally {
      await database.close()
    }
  })

  it('exits 69 with the address and the reason when the database cannot be reached', async () => {
    const result = await runJaring(['migrate', '--database', 'postgres://jaring:secret@127.0.0.1:1/jaring'])
    expect(result.code).toBe(69)
    expect(result.stderr).toContain('cannot migrate the database at 127.0.0.1:1/jaring: connect ECONNREFUSED')
    expect(result.stderr).not.toContain('secret')
  })

  it('exits 78 when the config names no database to migrate', async () => {
    const file = path.join(workspace, 'memory.yaml')
    await writeFile(file, 'agency: TH-RTP\nname: x\ncountry: TH\npublicUrl: http://127.0.0.1:4102\n')
    const result = await runJaring(['migrate', '--config', file])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('database.url: names no database')
  })
})

describe(`jaring migrate on ${testDatabaseLabel()}`, { timeout: cliTimeoutMs }, () => {
  let database: TestDatabaseLocation
  beforeAll(async () => {
    database = await createTestDatabaseUrl()
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('reports an up-to-date database and leaves it usable', async () => {
    const result = await runJaring(['migrate', '--database', database.url])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`^The ${testDatabaseDriver()} database at .+ is up to date`))
    expect(result.stdout).not.toContain('postgres://')
  })
})
