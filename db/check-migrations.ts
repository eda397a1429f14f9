/**
 * `npm run db:check`: fails when the committed migrations (db/migrations) no longer match the drizzle
 * tables (db/schema). `drizzle-kit check` only checks that the snapshots agree with each other, so
 * this runs `drizzle-kit generate` against a scratch copy of the migrations: if it would write a new
 * migration (or ask a question, as it does for a possible rename), the tables have drifted.
 * drizzle-kit exits 0 even when it fails, so success is read from its output, not its exit code.
 */
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface MigrationCheck {
  ok: boolean
  message: string
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url))
const noChanges = 'No schema changes, nothing to migrate'
const drizzleKitTimeoutMs = 120_000

/** Checks the project at `root` (the folder holding db/drizzle.config.ts, db/migrations and node_modules). */
export async function checkMigrations(root: string = projectRoot): Promise<MigrationCheck> {
  const scratch = await mkdtemp(join(tmpdir(), 'jaring-db-check-'))
  try {
    const migrations = join(scratch, 'migrations')
    await cp(join(root, 'db', 'migrations'), migrations, { recursive: true })
    const config = join(scratch, 'drizzle.config.ts')
    // drizzle-kit prefixes `out` with './', so it must be relative to the working directory.
    await writeFile(
      config,
      `import base from ${JSON.stringify(join(root, 'db', 'drizzle.config.ts'))}\n` +
        `export default { ...base, out: ${JSON.stringify(relative(root, migrations))} }\n`,
    )
    const committed = await sqlFiles(migrations)
    const output = await generate(root, config)
    const added = (await sqlFiles(migrations)).filter((file) => !committed.includes(file))
    if (added.length > 0) {
      const statements = await Promise.all(added.map((file) => readFile(join(migrations, file), 'utf8')))
      return {
        ok: false,
        message: [
          'The committed migrations do not match the drizzle tables in db/schema. drizzle-kit would add:',
          '',
          ...statements.map((text) => text.trim()),
          '',
          'Run `npm run db:generate`, review the new file in db/migrations, and commit it.',
        ].join('\n'),
      }
    }
    if (!output.includes(noChanges)) {
      return {
        ok: false,
        message: [
          'drizzle-kit could not confirm that the migrations match the drizzle tables in db/schema.',
          'If it asks about a rename, the tables changed: run `npm run db:generate` in a terminal, answer, and commit.',
          'Its output:',
          '',
          output.trim(),
        ].join('\n'),
      }
    }
    return {
      ok: true,
      message: `The migrations in db/migrations match the drizzle tables (${committed.length} migrations).`,
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

async function sqlFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((file) => file.endsWith('.sql')).sort()
}

function generate(root: string, config: string): Promise<string> {
  const drizzleKit = join(root, 'node_modules', 'drizzle-kit', 'bin.cjs')
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [drizzleKit, 'generate', '--config', config],
      { cwd: root, timeout: drizzleKitTimeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const failure = error?.killed ? `stopped after ${drizzleKitTimeoutMs / 1000} s` : error?.message
        resolve([stdout, stderr, failure ?? ''].join('\n'))
      },
    )
    child.stdin?.end()
  })
}

if (import.meta.main) {
  const result = await checkMigrations()
  if (result.ok) {
    console.log(`db:check: ${result.message}`)
  } else {
    console.error(`db:check failed.\n${result.message}`)
    process.exitCode = 1
  }
}
