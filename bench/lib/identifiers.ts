/**
 * The identifier benchmark's data: the seeded database's identifiers topped up to a total (10,000,000
 * in the full run) with passports `Q<8 digits>` spread over the persons a liaison officer may see,
 * written with COPY the way a bulk load is done: the table's indexes and constraints are dropped,
 * the rows streamed in, then every index rebuilt and every constraint added back (the foreign key
 * validated in one pass), each from its own definition as PostgreSQL reports it, then ANALYZE.
 */
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { from as copyFrom } from 'pg-copy-streams'
import type { BenchContext } from './context.ts'
import type { SeededDatabase } from './datasets.ts'
import { withClient } from './postgres.ts'

export interface IdentifierSet {
  /** Identifiers in the table after the top-up. */
  total: number
  /** Rows this top-up wrote (`Q` passports numbered 0 to added - 1). */
  added: number
  /** Wall time of the whole load: dropping, COPY, rebuilding, ANALYZE. */
  wallMs: number
  copyMs: number
  rebuildMs: number
  /** Persons the added identifiers are spread over, round robin: number i belongs to holders[i % n]. */
  holders: readonly string[]
}

export const generatedPassport = (index: number): string => `Q${String(index).padStart(8, '0')}`

const visibleTlp = ['CLEAR', 'GREEN', 'AMBER']

/** Rows of COPY text, a chunk at a time. */
function* copyRows(agency: string, holders: readonly string[], count: number): Generator<string> {
  const createdAt = new Date().toISOString()
  let chunk = ''
  for (let index = 0; index < count; index++) {
    const passport = generatedPassport(index)
    const holder = holders[index % holders.length] as string
    chunk += `${randomUUID()}\t${agency}\t${holder}\tPASSPORT\t${passport}\t${passport}\t\\N\tGREEN\t${createdAt}\n`
    if (chunk.length > 1 << 16) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk) yield chunk
}

/** Tops the seeded database's identifiers up to `total` (once per run and database). */
export function identifierSet(
  context: BenchContext,
  seeded: SeededDatabase,
  total: number,
): Promise<IdentifierSet> {
  return context.shared(`identifiers:${seeded.url}:${total}`, () =>
    withClient(seeded.url, async (client) => {
      const count = async () =>
        Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM identifiers')).rows[0]?.n)
      const before = await count()
      const added = Math.max(0, total - before)
      const holders = (
        await client.query<{ id: string }>(
          'SELECT id FROM persons WHERE agency = $1 AND tlp = ANY($2::tlp[]) ORDER BY id LIMIT 2000000',
          [seeded.agency, visibleTlp],
        )
      ).rows.map((row) => row.id)
      if (holders.length === 0) throw new Error('no person a liaison officer may see to hold identifiers')
      context.log(
        `adding ${added.toLocaleString('en-US')} identifiers to ${before.toLocaleString('en-US')} with COPY (${holders.length.toLocaleString('en-US')} holders) ...`,
      )
      const started = performance.now()
      // Constraints first (the primary key's index goes with it), unless another table refers to it.
      const constraints = (
        await client.query<{ name: string; definition: string; referenced: boolean }>(
          `SELECT conname AS name, pg_get_constraintdef(oid) AS definition,
                  EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = c.conrelid AND c.contype IN ('p', 'u')) AS referenced
             FROM pg_constraint c WHERE conrelid = 'identifiers'::regclass AND contype IN ('p', 'u', 'f')`,
        )
      ).rows.filter((constraint) => !constraint.referenced)
      await client.query('BEGIN')
      for (const constraint of constraints)
        await client.query(`ALTER TABLE identifiers DROP CONSTRAINT "${constraint.name}"`)
      const indexes = (
        await client.query<{ name: string; definition: string }>(
          `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
            WHERE schemaname = 'public' AND tablename = 'identifiers'
              AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'identifiers'::regclass)`,
        )
      ).rows
      for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`)
      await client.query('COMMIT')
      const copyStarted = performance.now()
      await pipeline(
        Readable.from(copyRows(seeded.agency, holders, added)),
        client.query(
          copyFrom(
            'COPY identifiers (id, agency, person_id, kind, value, normalised, issuing_country, tlp, created_at) FROM STDIN',
          ),
        ),
      )
      const copyMs = performance.now() - copyStarted
      const rebuildStarted = performance.now()
      await client.query("SET maintenance_work_mem = '256MB'")
      for (const index of indexes) await client.query(index.definition)
      for (const constraint of constraints) {
        const foreign = constraint.definition.startsWith('FOREIGN KEY')
        await client.query(
          `ALTER TABLE identifiers ADD CONSTRAINT "${constraint.name}" ${constraint.definition}${foreign ? ' NOT VALID' : ''}`,
        )
        if (foreign) await client.query(`ALTER TABLE identifiers VALIDATE CONSTRAINT "${constraint.name}"`)
      }
      // The whole database: a fresh seed has no statistics yet, and without them PostgreSQL plans the
      // lookups as scans of every visible person (autovacuum would analyze it a minute later).
      await client.query('ANALYZE')
      const rebuildMs = performance.now() - rebuildStarted
      return {
        total: await count(),
        added,
        wallMs: performance.now() - started,
        copyMs,
        rebuildMs,
        holders,
      }
    }),
  )
}
