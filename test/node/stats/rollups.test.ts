/**
 * The statistics rollups (migration 0005) against the records they count: after a seed, and after
 * every kind of change the triggers must follow (a case's TLP, category, month or closing; a
 * person's status, nationality or TLP; a link added or removed; a case, a person or everything
 * deleted), the cells read from the rollups equal the cells counted from the records, for filters
 * of every shape the rollups answer.
 */
import { eq, inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { casePersons, cases, persons } from '../../../db/schema/records.ts'
import { seedDatabase } from '../../../db/seed/seed.ts'
import {
  type CountedRows,
  liveBaseCells,
  statisticsBaseCells,
} from '../../../services/node/records/statistics.ts'
import { type BaseCell, statisticsRequestOf } from '../../../services/node/stats/model.ts'
import { testAgency } from '../../support/app.ts'
import {
  openTestDatabase,
  type TestDatabase,
  testDatabaseLabel,
  truncateAll,
} from '../../support/database.ts'

const everyMeasure = [
  'CASES_OPENED',
  'CASES_CLOSED',
  'SUSPECTS',
  'VICTIMS',
  'PERSONS_AT_RISK',
  'PERSONS_RESCUED',
  'PERSONS_REPATRIATED',
]

const requests = [
  statisticsRequestOf({ measures: everyMeasure }),
  statisticsRequestOf({ measures: everyMeasure, groupBy: ['NATIONALITY', 'STATUS'] }),
  statisticsRequestOf({
    measures: everyMeasure,
    groupBy: ['STATUS'],
    filter: {
      fromMonth: '2023-01',
      toMonth: '2025-06',
      crimeCategories: ['TRAFFICKING_IN_PERSONS', 'CYBERCRIME'],
    },
  }),
]

const counted: CountedRows[] = [
  {
    agency: testAgency,
    cases: { tlpCeiling: 'AMBER' },
    persons: { tlpCeiling: 'AMBER' },
    syndicates: 'deny',
  },
  { agency: testAgency, cases: { tlpCeiling: 'GREEN' }, persons: { tlpCeiling: 'RED' }, syndicates: 'deny' },
  {
    agency: testAgency,
    cases: {
      tlpCeiling: 'RED',
      crimeCategories: ['TRAFFICKING_IN_PERSONS', 'PEOPLE_SMUGGLING'],
      handlingCodes: ['H2', 'H3'],
    },
    persons: { tlpCeiling: 'AMBER', handlingCodes: ['H3'] },
    syndicates: 'deny',
  },
  { agency: testAgency, cases: 'deny', persons: { tlpCeiling: 'AMBER' }, syndicates: 'deny' },
]

const sorted = (cells: BaseCell[]) =>
  cells
    .map((cell) =>
      JSON.stringify([
        cell.measure,
        cell.crimeCategory,
        cell.month,
        cell.nationality,
        cell.status,
        cell.value,
      ]),
    )
    .sort()

describe(`statistics rollups on ${testDatabaseLabel()}`, () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await openTestDatabase()
    await seedDatabase(database, { agency: testAgency, cases: 400, seed: 'rollups' })
  }, 120_000)
  afterAll(async () => {
    await database?.close()
  })

  async function expectRollupsMatchRecords(): Promise<void> {
    for (const filter of counted) {
      for (const request of requests) {
        const fromRollups = await statisticsBaseCells(database.db, filter, request)
        const fromRecords = await liveBaseCells(database.db, filter, request)
        expect(sorted(fromRollups)).toEqual(sorted(fromRecords))
      }
    }
  }

  it('counts what the records hold after a seed', async () => {
    const [{ rows }] = (await database.db
      .select({ rows: sql<number>`count(*)::int` })
      .from(sql`stats_person_cells`)) as [{ rows: number }]
    expect(rows).toBeGreaterThan(100)
    await expectRollupsMatchRecords()
  })

  it('follows every change to cases, persons and their links', async () => {
    const someCases = await database.db.select({ id: cases.id }).from(cases).limit(60)
    const ids = someCases.map((row) => row.id)
    await database.db
      .update(cases)
      .set({ tlp: 'RED' })
      .where(inArray(cases.id, ids.slice(0, 10)))
    await database.db
      .update(cases)
      .set({ crimeCategory: 'CYBERCRIME', openedMonth: '2019-03-01', openedOn: '2019-03-05' })
      .where(inArray(cases.id, ids.slice(10, 20)))
    await database.db
      .update(cases)
      .set({ status: 'CLOSED', closedOn: '2026-11-10', closedMonth: '2026-11-01' })
      .where(inArray(cases.id, ids.slice(20, 30)))
    await database.db.delete(cases).where(inArray(cases.id, ids.slice(30, 40)))
    const links = await database.db.select().from(casePersons).limit(40)
    const personIds = links.map((link) => link.personId)
    await database.db
      .update(persons)
      .set({ status: 'RESCUED', statusChangedOn: '2025-05-09', statusMonth: '2025-05-01', nationality: 'MM' })
      .where(inArray(persons.id, personIds.slice(0, 15)))
    await database.db
      .update(persons)
      .set({ tlp: 'RED' })
      .where(inArray(persons.id, personIds.slice(15, 20)))
    await database.db.delete(casePersons).where(eq(casePersons.personId, personIds[20] as string))
    await database.db.delete(persons).where(inArray(persons.id, personIds.slice(21, 25)))
    const moved = links.slice(25, 30)
    await database.db
      .insert(casePersons)
      .values(
        moved.map((link) => ({
          caseId: ids[50] as string,
          personId: link.personId,
          role: 'VICTIM' as const,
        })),
      )
      .onConflictDoNothing()
    await expectRollupsMatchRecords()
  })

  it('empties with the records', async () => {
    await truncateAll(database)
    for (const filter of counted)
      expect(
        await statisticsBaseCells(database.db, filter, requests[0] as (typeof requests)[number]),
      ).toEqual([])
  })
})
