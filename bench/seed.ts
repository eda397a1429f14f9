/**
 * Seeding speed: `jaring seed --cases N` into an empty PostgreSQL database (N = 1,000,000 in the
 * full run), wall time and rows per second, against COPY of the very same rows into copies of the
 * same tables (the ceiling the seeder's COPY rounds can approach).
 */
import type { BenchContext } from './lib/context.ts'
import { copyBaseline, datasetCases, seededDatabase } from './lib/datasets.ts'

export const name = 'seed'
export const title = 'Seeding with jaring seed'

/** Rows the COPY baseline copies at most: a rate needs no second copy of 14 million rows. */
const copyBaselineMaxRows = 2_000_000

export async function run(context: BenchContext): Promise<void> {
  const cases = datasetCases(context.quick)
  const seeded = await seededDatabase(context, 'TH-RTP', cases)
  const seedRate = seeded.totalRows / (seeded.wallMs / 1000)
  context.log(
    `seeded ${seeded.totalRows.toLocaleString('en-US')} rows in ${(seeded.wallMs / 1000).toFixed(1)} s; measuring COPY of the same rows ...`,
  )
  const copy = await copyBaseline(seeded, copyBaselineMaxRows)
  const copyRate = copy.rows / (copy.wallMs / 1000)
  // With a capped sample, the baseline's wall time is the COPY rate applied to all the rows.
  const copyWallMs = (seeded.totalRows / copyRate) * 1000
  const sample =
    copy.share === 1
      ? 'all of them'
      : `a ${Math.round(copy.share * 100)} % sample of every table (${copy.rows.toLocaleString('en-US')} rows), scaled to all rows`
  const label = `${cases.toLocaleString('en-US')} cases`
  context.record({
    benchmark: name,
    name: `jaring seed, ${label}: wall time`,
    value: seeded.wallMs / 1000,
    unit: 's',
    baseline: { name: 'COPY of the same rows', value: copyWallMs / 1000 },
    ratio: seeded.wallMs / copyWallMs,
    note: `${seeded.totalRows.toLocaleString('en-US')} rows in ${Object.keys(seeded.rows).length} tables; the seed's wall time includes start-up and migrations`,
  })
  context.record({
    benchmark: name,
    name: `jaring seed, ${label}: rows per second`,
    value: seedRate,
    unit: 'rows/s',
    baseline: { name: 'COPY of the same rows', value: copyRate },
    ratio: seedRate / copyRate,
    note: `COPY baseline: each table streamed out and back into a copy with the same indexes and no foreign keys, ${sample}`,
  })
}
