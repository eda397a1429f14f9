/**
 * Seeded databases and running nodes shared across benchmarks: each is made once per run, by the
 * first benchmark that asks, and reused by the others (the seed benchmark's 1,000,000 cases are the
 * records the node benchmarks read, and will be the statistics benchmark's).
 */
import { pipeline } from 'node:stream/promises'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { seedCopyWaves, seedTables } from '../../db/seed/generate.ts'
import { runCli } from './cli.ts'
import type { BenchContext } from './context.ts'
import { type BenchNode, type NodeOptions, startNode } from './node.ts'
import { scratchDatabase, withClient } from './postgres.ts'

/** Cases in the run's main dataset: 1,000,000 in the full run. */
export const datasetCases = (quick: boolean): number => (quick ? 5_000 : 1_000_000)

export interface SeededDatabase {
  url: string
  agency: string
  cases: number
  /** Rows per table, from the seed's summary. */
  rows: Record<string, number>
  totalRows: number
  /** Wall time of the whole `jaring seed` process, start-up and migrations included. */
  wallMs: number
}

function parseSeedSummary(stdout: string): { rows: Record<string, number>; totalRows: number } {
  const rows: Record<string, number> = {}
  let totalRows = 0
  for (const line of stdout.split('\n')) {
    const found = /^\s+([a-z_ ]+?)\s+([\d,]+)$/.exec(line)
    if (!found) continue
    const count = Number((found[2] as string).replaceAll(',', ''))
    if (found[1] === 'total rows') totalRows = count
    else rows[found[1] as string] = count
  }
  if (totalRows === 0) throw new Error(`jaring seed printed no row counts: ${stdout}`)
  return { rows, totalRows }
}

/** A scratch database seeded by `jaring seed` with `cases` cases of one agency. */
export function seededDatabase(
  context: BenchContext,
  agency: string,
  cases: number,
): Promise<SeededDatabase> {
  return context.shared(`seeded:${agency}:${cases}`, async () => {
    const url = await scratchDatabase(context, `${agency}_${cases}`)
    context.log(`seeding ${cases.toLocaleString('en-US')} cases of ${agency} with jaring seed ...`)
    let lastProgress = 0
    const result = await runCli(['seed', '--database', url, '--agency', agency, '--cases', String(cases)], {
      timeoutMs: 30 * 60_000,
      onStderr: (text) => {
        // One progress line every 30 s or so is enough on the console.
        if (performance.now() - lastProgress < 30_000) return
        lastProgress = performance.now()
        context.log(text.trim().split('\n').at(-1) ?? '')
      },
    })
    return { url, agency, cases, ...parseSeedSummary(result.stdout), wallMs: result.wallMs }
  })
}

export interface CopyBaseline {
  rows: number
  wallMs: number
  /** Share of the seeded rows copied: 1, or less when capped by `maxRows`. */
  share: number
}

/**
 * The COPY ceiling for the same rows: every seeded table is streamed out with `COPY ... TO STDOUT`
 * and straight back with `COPY ... FROM STDIN` into a copy of the table (same columns, defaults
 * and indexes, no foreign keys) in a schema of its own, dropped afterwards. Past `maxRows` the
 * same share of every table is copied, so a large seed's baseline stays a rate, not a second seed.
 */
export async function copyBaseline(
  seeded: SeededDatabase,
  maxRows: number,
  /** Only these of the seed's tables (default: all of them). */
  only?: readonly string[],
): Promise<CopyBaseline> {
  const share = Math.min(1, maxRows / seeded.totalRows)
  return withClient(seeded.url, (writer) =>
    withClient(seeded.url, async (reader) => {
      await writer.query('DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy')
      try {
        let rows = 0
        let wallMs = 0
        for (const table of seedCopyWaves.flat().filter((name) => !only || only.includes(name))) {
          const columns = seedTables[table].join(', ')
          const limit = Math.ceil((seeded.rows[table] ?? 0) * share)
          await writer.query(`CREATE TABLE bench_copy.${table} (LIKE public.${table} INCLUDING ALL)`)
          const source =
            share === 1
              ? `public.${table} (${columns})`
              : `(SELECT ${columns} FROM public.${table} LIMIT ${limit})`
          const out = reader.query(copyTo(`COPY ${source} TO STDOUT WITH (FORMAT csv)`))
          const into = writer.query(
            copyFrom(`COPY bench_copy.${table} (${columns}) FROM STDIN WITH (FORMAT csv)`),
          )
          // Only the COPY is timed: creating the empty copy of the table is not part of loading it.
          const started = performance.now()
          await pipeline(out, into)
          wallMs += performance.now() - started
          rows += Number(into.rowCount)
        }
        return { rows, wallMs, share }
      } finally {
        await writer.query('DROP SCHEMA IF EXISTS bench_copy CASCADE')
      }
    }),
  )
}

/** A node over a seeded database, started once per key and shared. */
export function sharedNode(context: BenchContext, key: string, options: NodeOptions): Promise<BenchNode> {
  return context.shared(`node:${key}`, () => startNode(context, options))
}
