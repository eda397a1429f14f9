/**
 * Fills a database with one agency's synthetic data: the generator's rows go in with COPY, a chunk
 * of a few thousand cases at a time, and the next chunk is generated while the database ingests the
 * previous one. Memory stays flat whatever the number of cases.
 *
 * The seed is not one transaction: an interrupted run leaves the rows written so far. A second run
 * refuses to start on a database that already holds records (see `SeedConflictError`).
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { DatabaseHandle } from '../open.ts'
import { cases, intelReports, persons, syndicates } from '../schema/records.ts'
import {
  RowBatch,
  SeedGenerator,
  type SeedTable,
  seedCopyWaves,
  seedTableNames,
  seedTables,
} from './generate.ts'

export interface SeedOptions {
  agency: string
  cases: number
  seed: string
  /** Cases per COPY round (default 5,000: about 60,000 rows across the tables). */
  chunkCases?: number
  onProgress?: (progress: SeedProgress) => void
}

export interface SeedProgress {
  casesWritten: number
  totalCases: number
  rowsWritten: number
  elapsedMs: number
}

export interface SeedSummary {
  agency: string
  seed: string
  cases: number
  rows: Record<SeedTable, number>
  totalRows: number
  elapsedMs: number
}

/** The database already holds records, so seeding would collide with them or mix agencies. */
export class SeedConflictError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SeedConflictError'
  }
}

/** Agencies that own records in the database (a node holds one; an empty database none). */
async function agenciesPresent(handle: Pick<DatabaseHandle, 'db'>): Promise<string[]> {
  const found = new Set<string>()
  for (const table of [cases, persons, syndicates, intelReports]) {
    const rows = await handle.db.selectDistinct({ agency: table.agency }).from(table).limit(5)
    for (const row of rows) found.add(row.agency)
  }
  return [...found].sort()
}

export async function seedDatabase(
  handle: Pick<DatabaseHandle, 'db' | 'copyCsv'>,
  options: SeedOptions,
): Promise<SeedSummary> {
  const generator = new SeedGenerator(options)
  const agency = generator.agency.code
  const present = await agenciesPresent(handle)
  if (present.includes(agency)) {
    throw new SeedConflictError(
      `the database already holds records of ${agency}; seed into an empty database (its external references would collide)`,
    )
  }
  if (present.length > 0) {
    throw new SeedConflictError(
      `the database holds records of ${present.join(', ')}; a node stores only its own agency's records, so seed ${agency} into a database of its own`,
    )
  }

  const chunkCases = options.chunkCases ?? 5_000
  const started = performance.now()
  const rows = Object.fromEntries(seedTableNames.map((t) => [t, 0])) as Record<SeedTable, number>
  let casesWritten = 0
  let rowsWritten = 0

  const copy = async (batch: RowBatch, table: SeedTable) => {
    const count = batch.rows(table)
    if (count === 0) return
    await handle.copyCsv(table, seedTables[table], batch.csv(table))
    rows[table] += count
    rowsWritten += count
  }
  const write = async (batch: RowBatch, batchCases: number) => {
    // The tables of one wave do not refer to each other, so they load side by side (on PostgreSQL,
    // on separate connections); each wave waits for the rows its foreign keys point to.
    for (const wave of seedCopyWaves) await Promise.all(wave.map((table) => copy(batch, table)))
    casesWritten += batchCases
    options.onProgress?.({
      casesWritten,
      totalCases: generator.totalCases,
      rowsWritten,
      elapsedMs: performance.now() - started,
    })
  }

  let writing: Promise<void> | undefined
  let batch = new RowBatch()
  let batchCases = 0
  for (;;) {
    const added = generator.generateNextBlock(batch)
    batchCases += added
    const done = added === 0
    if (batchCases >= chunkCases || (done && batchCases > 0)) {
      await writing
      writing = write(batch, batchCases)
      // Handled here so a failing COPY does not count as an unhandled rejection while the next
      // chunk is generated; the failure itself surfaces at the next `await writing`.
      writing.catch(() => {})
      batch = new RowBatch()
      batchCases = 0
    }
    if (done) break
    // Generation is synchronous: yielding after each block lets the pending COPY stream to the server.
    await nextTurn()
  }
  await writing

  return {
    agency,
    seed: options.seed,
    cases: casesWritten,
    rows,
    totalRows: rowsWritten,
    elapsedMs: performance.now() - started,
  }
}
