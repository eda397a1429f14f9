/**
 * Which database the test run uses, decided once in the global setup (main process) and handed to
 * every worker through vitest's `provide`/`inject`. The plan must stay plain data: it crosses a
 * process boundary.
 */

export type TestDatabasePlan =
  | {
      driver: 'pglite'
      /** Short, for test titles: `PGlite`. */
      label: string
      /** One line for the start of the run: why this database, and how suites are isolated. */
      description: string
      /** A tarball of a migrated PGlite data directory: every test database is a clone of it. */
      templatePath: string
    }
  | {
      driver: 'postgres'
      /** Short, for test titles: `PostgreSQL 15.20 (127.0.0.1:5432)`. */
      label: string
      description: string
      /** A database on the server that the harness connects to for CREATE and DROP DATABASE. */
      adminUrl: string
      /** A migrated database that every test database is created from (CREATE DATABASE ... TEMPLATE). */
      templateDatabase: string
      /** Every database this run creates starts with it, so the run can sweep up after itself. */
      databasePrefix: string
    }

declare module 'vitest' {
  export interface ProvidedContext {
    jaringTestDatabase: TestDatabasePlan
  }
}

/** A PostgreSQL identifier in double quotes, safe to splice into DDL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** The same server and credentials as `url`, another database. */
export function urlForDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(database)}`
  return parsed.toString()
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres'
}
