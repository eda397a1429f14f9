/**
 * Suites that run on PostgreSQL only, because several processes share one database in them, which
 * PGlite cannot do (docs/decisions/0008-replica-tests-on-postgresql.md). vitest.config.ts leaves
 * them out of a run whose TEST_DATABASE_URL is not a postgres:// URL: the files to run are chosen
 * before the global setup picks the database, so the URL is all there is to go by. The global setup
 * names what was left out, so a PGlite run says so instead of passing silently.
 */
export const postgresOnlySuites = ['test/deploy/replicas.test.ts'] as const

export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url)
}

/** The suites a run with this TEST_DATABASE_URL leaves out. */
export function excludedPostgresOnlySuites(url: string | undefined): readonly string[] {
  return isPostgresUrl(url) ? [] : postgresOnlySuites
}
