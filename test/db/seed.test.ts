import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { csvLine, pgTextArray } from '../../db/seed/csv.ts'
import { sharedFigures } from '../../db/seed/figures.ts'
import { seedTableNames, seedTables } from '../../db/seed/generate.ts'
import { SeedConflictError, type SeedProgress, type SeedSummary, seedDatabase } from '../../db/seed/seed.ts'
import { crimeCategories, personRoles } from '../../schema/vocabulary.ts'
import { exitCodes } from '../../services/cli/cli-error.ts'
import { main } from '../../services/cli/main.ts'
import { normaliseIdentifier } from '../../services/node/matching/identifiers.ts'
import { nameTokens } from '../../services/node/matching/names.ts'
import {
  createTestDatabaseUrl,
  openTestDatabase,
  type TestDatabase,
  testDatabaseLabel,
} from '../support/database.ts'
import { queryRows } from '../support/rows.ts'

const cases = 200

/** A digest of every row of each table, in a fixed order, and the row counts. */
async function tableDigests(database: TestDatabase): Promise<Record<string, string>> {
  const digests: Record<string, string> = {}
  for (const table of seedTableNames) {
    const [row] = await queryRows<{ digest: string; rows: number }>(
      database,
      sql.raw(
        `SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE "C"), '')) AS digest, count(*)::int AS rows FROM (SELECT t::text AS r FROM ${table} t) x`,
      ),
    )
    digests[table] = `${row?.rows}:${row?.digest}`
  }
  return digests
}

describe(`seeding on ${testDatabaseLabel()}`, () => {
  // th and a second database with the same seed, then a third with another seed; then Hong Kong's and
  // Viet Nam's data: with th, the three demo agencies' data sets. Fresh databases throughout.
  let th: TestDatabase
  let other: TestDatabase
  let vn: TestDatabase
  let first: Record<string, string>
  let repeated: Record<string, string>
  let reseeded: Record<string, string>
  let summary: SeedSummary
  const progress: SeedProgress[] = []

  const digestOfFresh = async (agency: string, seed: string) => {
    const database = await openTestDatabase()
    try {
      await seedDatabase(database, { agency, cases, seed })
      return await tableDigests(database)
    } finally {
      await database.close()
    }
  }

  beforeAll(async () => {
    th = await openTestDatabase()
    summary = await seedDatabase(th, {
      agency: 'TH-RTP',
      cases,
      seed: 'alpha',
      chunkCases: 100,
      onProgress: (p) => progress.push(p),
    })
    first = await tableDigests(th)
    repeated = await digestOfFresh('TH-RTP', 'alpha')
    reseeded = await digestOfFresh('TH-RTP', 'beta')
    ;[other, vn] = await Promise.all([openTestDatabase(), openTestDatabase()])
    await seedDatabase(other, { agency: 'HK-HKPF', cases, seed: 'alpha' })
    await seedDatabase(vn, { agency: 'VN-MPS', cases, seed: 'alpha' })
  })

  afterAll(async () => {
    await Promise.all([th?.close(), other?.close(), vn?.close()])
  })

  const all = () => [th, other, vn]

  test('the same seed gives identical rows, ids and timestamps included', () => {
    expect(repeated).toEqual(first)
  })

  test('another seed gives other rows in every table', () => {
    for (const table of seedTableNames) expect(reseeded[table], table).not.toBe(first[table])
  })

  test('exactly the cases asked for, with persons, identifiers, syndicates and reports in proportion', async () => {
    const count = async (table: string) =>
      (await queryRows<{ n: number }>(th, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n ?? 0
    expect(await count('cases')).toBe(cases)
    const persons = await count('persons')
    expect(persons).toBeGreaterThanOrEqual(cases * 1.5)
    expect(persons).toBeLessThanOrEqual(cases * 4 + sharedFigures().length)
    const identifiers = await count('identifiers')
    expect(identifiers / persons).toBeGreaterThan(1.5)
    expect(identifiers / persons).toBeLessThan(3)
    expect(await count('syndicates')).toBe(cases / 20)
    expect(await count('intel_reports')).toBe(cases / 10)
    expect(summary.cases).toBe(cases)
    expect(summary.rows.cases).toBe(cases)
    expect(summary.rows.persons).toBe(persons)
    // Progress was reported after each COPY round, ending at the total.
    expect(progress.map((p) => p.casesWritten)).toEqual([100, 200])
    expect(progress.at(-1)).toMatchObject({ totalCases: cases, rowsWritten: summary.totalRows })
  })

  test('every crime category, person role and rescue status occurs, with the stored months consistent', async () => {
    for (const database of all()) {
      const categories = await queryRows<{ crime_category: string }>(
        database,
        sql`SELECT DISTINCT crime_category FROM cases`,
      )
      expect(categories.map((r) => r.crime_category).sort()).toEqual([...crimeCategories].sort())
      const roles = await queryRows<{ role: string }>(database, sql`SELECT DISTINCT role FROM case_persons`)
      expect(roles.map((r) => r.role).sort()).toEqual([...personRoles].sort())
      const statuses = await queryRows<{ status: string; n: number }>(
        database,
        sql`SELECT status, count(*)::int AS n FROM persons p
            WHERE status IN ('TRAPPED', 'RESCUED', 'REPATRIATED') AND nationality = substr(agency, 1, 2)
              AND (status = 'REPATRIATED' OR last_known_country <> nationality)
            GROUP BY status`,
      )
      expect(statuses.map((r) => r.status).sort()).toEqual(['REPATRIATED', 'RESCUED', 'TRAPPED'])
      const [inconsistent] = await queryRows<{ n: number }>(
        database,
        sql`SELECT (
              (SELECT count(*) FROM cases WHERE opened_month <> date_trunc('month', opened_on)::date
                 OR closed_month IS DISTINCT FROM date_trunc('month', closed_on)::date)
            + (SELECT count(*) FROM persons WHERE status_month IS DISTINCT FROM date_trunc('month', status_changed_on)::date)
            + (SELECT count(*) FROM intel_reports WHERE reported_month <> date_trunc('month', reported_on)::date)
            + (SELECT count(*) FROM cases WHERE updated_at < created_at)
            + (SELECT count(*) FROM persons WHERE updated_at < created_at))::int AS n`,
      )
      expect(inconsistent?.n).toBe(0)
      const tlps = await queryRows<{ tlp: string }>(database, sql`SELECT DISTINCT tlp FROM cases`)
      expect(tlps.map((r) => r.tlp)).toEqual(expect.arrayContaining(['GREEN', 'AMBER', 'RED']))
      const [spanning] = await queryRows<{ n: number }>(
        database,
        sql`SELECT count(*)::int AS n FROM syndicates WHERE cardinality(countries) >= 2`,
      )
      expect(spanning?.n).toBe(cases / 20)
    }
  })

  test('every identifier is valid for the node, and stored normalised exactly as the node normalises it', async () => {
    for (const database of all()) {
      const rows = await queryRows<{
        kind: string
        value: string
        normalised: string
        issuing_country: string | null
      }>(database, sql`SELECT kind, value, normalised, issuing_country FROM identifiers`)
      expect(new Set(rows.map((r) => r.kind)).size).toBe(9)
      for (const row of rows) {
        const result = normaliseIdentifier(
          row.kind as Parameters<typeof normaliseIdentifier>[0],
          row.value,
          row.issuing_country ? { country: row.issuing_country } : undefined,
        )
        expect(result.normalised, `${row.kind} ${row.value}`).toBe(row.normalised)
      }
    }
  })

  test('name tokens are the node’s own folding of the name and its romanised form', async () => {
    for (const database of all()) {
      const rows = await queryRows<{ full_name: string; romanised: string | null; tokens: string[] }>(
        database,
        sql`SELECT full_name, romanised, tokens FROM person_names`,
      )
      for (const row of rows)
        expect(row.tokens, row.full_name).toEqual(nameTokens(row.full_name, row.romanised))
      const scripts = await queryRows<{ script: string }>(
        database,
        sql`SELECT DISTINCT script FROM person_names`,
      )
      expect(scripts.map((r) => r.script)).toEqual(expect.arrayContaining(['Latn', 'Hani']))
    }
  })

  test('the shared figures’ phones and passports appear in two or three agencies, written and spelt differently', async () => {
    const agencies: Record<string, TestDatabase> = { 'TH-RTP': th, 'HK-HKPF': other, 'VN-MPS': vn }
    const holdersOf = async (kind: string, normalised: string) => {
      const found: { agency: string; value: string; fullName: string }[] = []
      for (const [agency, database] of Object.entries(agencies)) {
        const rows = await queryRows<{ value: string; full_name: string }>(
          database,
          sql`SELECT i.value, n.full_name FROM identifiers i
              JOIN person_names n ON n.person_id = i.person_id AND n.kind = 'PRIMARY'
              WHERE i.kind = ${kind} AND i.normalised = ${normalised}`,
        )
        for (const row of rows) found.push({ agency, value: row.value, fullName: row.full_name })
      }
      return found
    }
    for (const figure of sharedFigures()) {
      for (const [kind, normalised] of [
        ['PHONE', figure.phone.e164],
        ['PASSPORT', figure.passport.number],
      ] as const) {
        const holders = await holdersOf(kind, normalised)
        expect(holders.map((h) => h.agency).sort(), `${figure.key} ${kind}`).toEqual(
          [...figure.agencies].sort(),
        )
        expect(new Set(holders.map((h) => h.value)).size).toBe(holders.length)
        expect(new Set(holders.map((h) => h.fullName)).size).toBe(holders.length)
      }
    }
  })

  test('the generator fills every column of every table it writes, except the derived global id', async () => {
    for (const table of seedTableNames) {
      const rows = await queryRows<{ column_name: string }>(
        th,
        sql`SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = ${table} AND is_generated = 'NEVER'`,
      )
      expect(rows.map((r) => r.column_name).sort(), table).toEqual([...seedTables[table]].sort())
    }
  })

  test('seeding again, or seeding another agency, into a seeded database is refused before writing', async () => {
    await expect(seedDatabase(th, { agency: 'TH-RTP', cases: 100, seed: 'alpha' })).rejects.toThrow(
      SeedConflictError,
    )
    await expect(seedDatabase(th, { agency: 'MY-RMP', cases: 100, seed: 'alpha' })).rejects.toThrow(/TH-RTP/)
    expect(await tableDigests(th)).toEqual(first)
  })
})

describe(`CSV for COPY on ${testDatabaseLabel()}`, () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(() => database?.close())

  test('quotes, commas, line breaks, backslashes and arrays survive COPY', async () => {
    const tricky = ['say "hi", then\nleave', 'back\\slash', '\\.', ' padded ', 'ไทย, 中文', '{braces}']
    await database.copyCsv(
      'syndicates',
      ['id', 'agency', 'external_ref', 'name', 'aliases', 'countries', 'description', 'crime_category'],
      csvLine([
        '00000000-0000-4000-8000-000000000001',
        'TH-RTP',
        'ref,1',
        tricky[0],
        pgTextArray(tricky),
        pgTextArray([]),
        'x',
        'CYBERCRIME',
      ]) +
        csvLine([
          '00000000-0000-4000-8000-000000000002',
          'TH-RTP',
          '\\.',
          '\\.',
          pgTextArray(['"', '\\', ',']),
          pgTextArray(['TH']),
          '\n',
          'CYBERCRIME',
        ]),
    )
    const rows = await queryRows<{
      external_ref: string
      name: string
      aliases: string[]
      countries: string[]
      description: string
    }>(database, sql`SELECT external_ref, name, aliases, countries, description FROM syndicates ORDER BY id`)
    expect(rows).toEqual([
      { external_ref: 'ref,1', name: tricky[0], aliases: tricky, countries: [], description: 'x' },
      { external_ref: '\\.', name: '\\.', aliases: ['"', '\\', ','], countries: ['TH'], description: '\n' },
    ])
  })

  test('an empty string stays an empty string and a missing value arrives as NULL', async () => {
    await database.copyCsv(
      'cases',
      [
        'id',
        'agency',
        'external_ref',
        'title',
        'summary',
        'crime_category',
        'country',
        'location',
        'opened_on',
        'opened_month',
      ],
      csvLine([
        '00000000-0000-4000-8000-000000000003',
        'TH-RTP',
        'c1',
        't',
        '',
        'CYBERCRIME',
        'TH',
        null,
        '2026-01-02',
        '2026-01-01',
      ]),
    )
    const rows = await queryRows<{ summary: string; location: string | null }>(
      database,
      sql`SELECT summary, location FROM cases`,
    )
    expect(rows).toEqual([{ summary: '', location: null }])
  })
})

describe(`jaring seed on ${testDatabaseLabel()}`, () => {
  const run = async (...args: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const stdout = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => out.push(String(chunk)) > 0)
    const stderr = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk) => err.push(String(chunk)) > 0)
    try {
      const code = await main(['node', 'jaring', 'seed', ...args])
      return { code, out: out.join(''), err: err.join('') }
    } finally {
      stdout.mockRestore()
      stderr.mockRestore()
    }
  }

  test('rejects bad options with the usage exit code, before touching a database', async () => {
    const database = ['--database', '/nonexistent/never-created']
    expect(await run(...database, '--agency', 'TH-RTP', '--cases', '99')).toMatchObject({
      code: exitCodes.usage,
    })
    expect(await run(...database, '--agency', 'TH-RTP', '--cases', '1000001')).toMatchObject({
      code: exitCodes.usage,
    })
    expect(await run(...database, '--agency', 'TH-RTP', '--cases', 'ten')).toMatchObject({
      code: exitCodes.usage,
    })
    const badAgency = await run(...database, '--agency', 'thai-police')
    expect(badAgency.code).toBe(exitCodes.usage)
    expect(badAgency.err).toMatch(/TH-RTP/)
    expect(await run(...database, '--agency', 'XX-ABC')).toMatchObject({ code: exitCodes.usage })
    expect(await run('--database', 'memory://', '--agency', 'TH-RTP')).toMatchObject({
      code: exitCodes.usage,
    })
  })

  test('fills a database, prints progress and a summary, and refuses a second run', async () => {
    const location = await createTestDatabaseUrl()
    try {
      const args = ['--database', location.url, '--agency', 'VN-MPS', '--cases', '100', '--seed', 'cli']
      const result = await run(...args)
      expect(result.code).toBe(0)
      expect(result.err).toMatch(/seed VN-MPS: 100\/100 cases \(100%\)/)
      expect(result.out).toMatch(/Seeded VN-MPS \(seed "cli"\)/)
      expect(result.out).toMatch(/cases\s+100\n/)
      const again = await run(...args)
      expect(again.code).toBe(exitCodes.dataError)
      expect(again.err).toMatch(/already holds records of VN-MPS/)
    } finally {
      await location.drop()
    }
  })
})
