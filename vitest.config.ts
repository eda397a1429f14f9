import { configDefaults, defineConfig } from 'vitest/config'
import { assertSupportedNode } from './test/setup/node-version.ts'
import { excludedPostgresOnlySuites } from './test/setup/postgres-only.ts'

assertSupportedNode()

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // Named at the start of the run by the global setup (test/setup/postgres-only.ts).
    exclude: [...configDefaults.exclude, ...excludedPostgresOnlySuites(process.env.TEST_DATABASE_URL)],
    globalSetup: ['test/setup/global.ts'],
    // Separate processes: PGlite (WebAssembly) and pg pools are torn down with the worker, and a
    // crashing suite cannot take its neighbours along.
    pool: 'forks',
    // Two cores here; each worker may hold a few PGlite instances (~100-200 MB each).
    maxWorkers: 2,
    // A PGlite clone takes up to ~1 s and a three-node federation suite opens several: hooks get room.
    hookTimeout: 60_000,
    testTimeout: 30_000,
    teardownTimeout: 30_000,
  },
})
