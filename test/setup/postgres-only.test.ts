/** The PostgreSQL-only list names real suites, and leaves them out exactly when the URL is not PostgreSQL's. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { excludedPostgresOnlySuites, postgresOnlySuites } from './postgres-only.ts'

const root = path.resolve(import.meta.dirname, '../..')

describe('PostgreSQL-only suites', () => {
  it('are files that exist', () => {
    expect(postgresOnlySuites.length).toBeGreaterThan(0)
    for (const suite of postgresOnlySuites) expect(existsSync(path.join(root, suite)), suite).toBe(true)
  })

  it('are left out of runs on PGlite or an unstated database, and run on a postgres:// URL', () => {
    for (const url of [undefined, '', 'memory://', '/tmp/pglite-folder'])
      expect(excludedPostgresOnlySuites(url)).toEqual(postgresOnlySuites)
    for (const url of ['postgres://postgres@127.0.0.1:5432/test', 'postgresql://u@h/db'])
      expect(excludedPostgresOnlySuites(url)).toEqual([])
  })
})
