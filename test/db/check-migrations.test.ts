import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { checkMigrations } from '../../db/check-migrations.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const scratchProjects: string[] = []

afterEach(async () => {
  for (const folder of scratchProjects.splice(0)) await rm(folder, { recursive: true, force: true })
})

/** A copy of the project's tables and migrations whose tables.ts the test then edits. */
async function projectWithEditedTables(edit: (records: string) => string): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'jaring-drift-'))
  scratchProjects.push(project)
  await cp(join(root, 'db'), join(project, 'db'), { recursive: true })
  await cp(join(root, 'schema'), join(project, 'schema'), { recursive: true })
  await symlink(join(root, 'node_modules'), join(project, 'node_modules'))
  const records = join(project, 'db', 'schema', 'records.ts')
  const before = await readFile(records, 'utf8')
  const after = edit(before)
  expect(after, 'the edit should change the tables').not.toBe(before)
  await writeFile(records, after)
  return project
}

describe('db:check', () => {
  test('passes on the committed migrations', async () => {
    expect(await checkMigrations()).toMatchObject({ ok: true })
  })

  test('fails, showing the missing SQL, when a table gained a column', async () => {
    const project = await projectWithEditedTables((records) =>
      records.replace(
        "summary: text('summary')",
        "priority: integer('priority'),\n    summary: text('summary')",
      ),
    )
    const result = await checkMigrations(project)
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(/ALTER TABLE "cases" ADD COLUMN "priority" integer/)
  })

  test('fails when drizzle-kit would ask whether a column was renamed', async () => {
    const project = await projectWithEditedTables((records) =>
      records.replace("summary: text('summary')", "synopsis: text('synopsis')"),
    )
    const result = await checkMigrations(project)
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(/could not confirm/)
  })
})
