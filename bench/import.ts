/**
 * Bulk import (issue 8, figure 5): `POST /api/v1/import` of persons (each with a primary name, an
 * alias and two identifiers: five rows) into a node over an empty PostgreSQL database, one NDJSON
 * request, against COPY of the very same rows (streamed out of the imported tables and back into
 * copies with the same indexes and no foreign keys, lib/datasets.ts). Then the same body again:
 * the idempotent re-import, where every line is compared and left unchanged.
 */
import type { BenchContext } from './lib/context.ts'
import { copyBaseline, type SeededDatabase } from './lib/datasets.ts'
import { startNode } from './lib/node.ts'
import { scratchDatabase, withClient } from './lib/postgres.ts'

export const name = 'import'
export const title = 'Bulk import through POST /api/v1/import against COPY of the same rows'

const tables = ['persons', 'person_names', 'identifiers'] as const
const givenNames = [
  'Somchai',
  'Anan',
  'Nguyen Van',
  'Tran Thi',
  'Wei',
  'Aung',
  'Siti',
  'Maria',
  'Jose',
  'Kim',
]
const familyNames = ['Jaidee', 'Srisuk', 'Minh', 'Lan', 'Wang', 'Htet', 'Rahman', 'Santos', 'Reyes', 'Sok']
const nationalities = ['TH', 'VN', 'MM', 'KH', 'LA', 'PH', 'MY', 'ID', 'CN']

/** One NDJSON line: a person with a primary name, an alias and two identifiers (five rows). */
export function personLine(index: number): string {
  const given = givenNames[index % givenNames.length] as string
  const family = familyNames[Math.floor(index / givenNames.length) % familyNames.length] as string
  const phone = `+66 8${String(index)
    .padStart(8, '0')
    .replace(/(\d{4})(\d{4})/, '$1 $2')}`
  return JSON.stringify({
    type: 'person',
    record: {
      externalRef: `IMP-${String(index).padStart(8, '0')}`,
      tlp: 'AMBER',
      names: [
        { fullName: `${given} ${family} ${index}` },
        { kind: 'ALIAS', fullName: `${family} ${given.split(' ')[0]} ${index}` },
      ],
      identifiers: [
        { kind: 'PHONE', value: phone },
        { kind: 'PASSPORT', value: `P${String(index).padStart(8, '0')}` },
      ],
      nationality: nationalities[index % nationalities.length],
      gender: index % 2 === 0 ? 'MALE' : 'FEMALE',
      status: 'AT_LARGE',
    },
  })
}

async function rowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const counts: Record<string, number> = {}
    for (const table of tables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)
      counts[table] = Number(rows[0]?.n ?? 0)
    }
    return counts
  })
}

export async function run(context: BenchContext): Promise<void> {
  const lines = context.quick ? 2_000 : 20_000
  const url = await scratchDatabase(context, 'import')
  const node = await startNode(context, { agency: 'TH-RTP', databaseUrl: url, label: 'th-rtp-import' })
  const token = await node.token('system')
  const body = `${Array.from({ length: lines }, (_, index) => personLine(index)).join('\n')}\n`
  const post = async () => {
    const started = performance.now()
    const response = await fetch(`${node.url}/api/v1/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body,
    })
    const answer = (await response.json()) as Record<string, unknown>
    const ms = performance.now() - started
    if (response.status !== 200)
      throw new Error(`import answered ${response.status}: ${JSON.stringify(answer).slice(0, 400)}`)
    return { ms, answer }
  }
  context.log(`importing ${lines.toLocaleString('en-US')} persons in one request ...`)
  const first = await post()
  const rows = await rowCounts(url)
  const totalRows = Object.values(rows).reduce((sum, count) => sum + count, 0)
  if ((first.answer.created as number) !== lines)
    throw new Error(`import created ${String(first.answer.created)} of ${lines}`)
  const again = await post()
  if ((again.answer.unchanged as number) !== lines)
    throw new Error(`re-import left ${String(again.answer.unchanged)} unchanged of ${lines}`)
  await node.stop()

  // The seed benchmark's COPY baseline, over the imported tables only.
  const imported: SeededDatabase = { url, agency: 'TH-RTP', cases: 0, rows, totalRows, wallMs: first.ms }
  const copy = await copyBaseline(imported, totalRows, tables)
  const importRate = totalRows / (first.ms / 1000)
  const copyRate = copy.rows / (copy.wallMs / 1000)
  const ratio = importRate / copyRate
  const perTable = tables.map((table) => `${rows[table]?.toLocaleString('en-US')} ${table}`).join(', ')
  context.record({
    benchmark: name,
    name: `import of ${lines.toLocaleString('en-US')} persons: rows per second`,
    value: importRate,
    unit: 'rows/s',
    baseline: { name: 'COPY of the same rows', value: copyRate },
    ratio,
    goal: { text: 'at least 0.3', met: ratio >= 0.3 },
    note: `one NDJSON request of ${(body.length / 1e6).toFixed(1)} MB, ${(first.ms / 1000).toFixed(1)} s (${((first.ms * 1000) / lines).toFixed(0)} us per line), writing ${perTable} (${totalRows.toLocaleString('en-US')} rows) in one transaction with one audit row; COPY ${(copy.wallMs / 1000).toFixed(2)} s into copies of the tables with their indexes`,
  })
  context.record({
    benchmark: name,
    name: `re-import of the same ${lines.toLocaleString('en-US')} persons (all unchanged): lines per second`,
    value: lines / (again.ms / 1000),
    unit: 'lines/s',
    baseline: { name: 'the first import', value: lines / (first.ms / 1000) },
    ratio: first.ms / again.ms,
    note: `${(again.ms / 1000).toFixed(1)} s: every line read, validated and compared with the stored person, nothing written`,
  })
}
