/**
 * The SQL of statistics: counts over this node's own records on the base grid (crime category and
 * stored month, plus nationality or status when asked for), with the policy's row filters for the
 * asker applied. Counts come from the rollups the database keeps current (migration 0005,
 * db/schema/statistics.ts) wherever they answer the asker's filters exactly, else from the records
 * themselves (`liveBaseCells`, which the tests hold the rollups against). Only counts leave this
 * module; `stats/` suppresses and aggregates them.
 */
import { and, count, countDistinct, eq, gte, inArray, isNotNull, lte, type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Database } from '../../../db/open.ts'
import { casePersons, cases, persons, syndicates } from '../../../db/schema/records.ts'
import { statsCaseCounts, statsPersonCounts } from '../../../db/schema/statistics.ts'
import type { CrimeCategory, PersonRole, PersonStatus } from '../../../schema/vocabulary.ts'
import type { RowFilter } from '../policy/compile.ts'
import { levelsUpTo, rowFilterToSql } from '../policy/rows.ts'
import type { BaseCell, StatisticsMeasure, StatisticsRequest } from '../stats/model.ts'

/** What the asker may have counted, per resource (`deny`: that resource's measures count nothing). */
export interface CountedRows {
  agency: string
  cases: RowFilter | 'deny'
  persons: RowFilter | 'deny'
  syndicates: RowFilter | 'deny'
}

const roleOf: Partial<Record<StatisticsMeasure, PersonRole>> = {
  SUSPECTS: 'SUSPECT',
  VICTIMS: 'VICTIM',
  PERSONS_AT_RISK: 'PERSON_AT_RISK',
}

const statusOf: Partial<Record<StatisticsMeasure, PersonStatus>> = {
  PERSONS_RESCUED: 'RESCUED',
  PERSONS_REPATRIATED: 'REPATRIATED',
}

function inRange(month: AnyPgColumn, request: StatisticsRequest): SQL[] {
  return [
    ...(request.fromMonth ? [gte(month, request.fromMonth)] : []),
    ...(request.toMonth ? [lte(month, request.toMonth)] : []),
  ]
}

function ofCategories(category: AnyPgColumn, request: StatisticsRequest): SQL[] {
  return request.crimeCategories ? [inArray(category, [...request.crimeCategories])] : []
}

interface Grid {
  category: AnyPgColumn
  month: AnyPgColumn | null
  nationality: AnyPgColumn | null
  status: AnyPgColumn
}

/** The columns selected and grouped by: the base grid, with the extra dimensions only when asked for. */
function gridColumns(grid: Grid, request: StatisticsRequest) {
  const byNationality = request.groupBy.includes('NATIONALITY') && grid.nationality !== null
  const byStatus = request.groupBy.includes('STATUS')
  const selected = {
    crimeCategory: grid.category,
    month: grid.month ?? sql<string | null>`null::date`,
    nationality: byNationality && grid.nationality ? grid.nationality : sql<string | null>`null::char(2)`,
    status: byStatus ? grid.status : sql<string | null>`null::text`,
  }
  const grouped = [
    grid.category,
    ...(grid.month ? [grid.month] : []),
    ...(byNationality && grid.nationality ? [grid.nationality] : []),
    ...(byStatus ? [grid.status] : []),
  ]
  return { selected, grouped }
}

interface Row {
  crimeCategory: unknown
  month: unknown
  nationality: unknown
  status: unknown
  value: unknown
}

function cellsOf(measure: StatisticsMeasure, rows: readonly Row[]): BaseCell[] {
  return rows.map((row) => ({
    measure,
    crimeCategory: row.crimeCategory as CrimeCategory,
    month: row.month === null ? null : String(row.month).slice(0, 10),
    nationality: row.nationality === null ? null : String(row.nationality),
    status: row.status === null ? null : String(row.status),
    value: Number(row.value),
  }))
}

async function casesOpenedOrClosed(
  db: Database,
  counted: CountedRows,
  request: StatisticsRequest,
  measure: 'CASES_OPENED' | 'CASES_CLOSED',
): Promise<BaseCell[]> {
  const month = measure === 'CASES_OPENED' ? cases.openedMonth : cases.closedMonth
  const { selected, grouped } = gridColumns(
    { category: cases.crimeCategory, month, nationality: null, status: cases.status },
    request,
  )
  const rows = await db
    .select({ ...selected, value: count() })
    .from(cases)
    .where(
      and(
        eq(cases.agency, counted.agency),
        rowFilterToSql('cases', counted.cases),
        ...(measure === 'CASES_CLOSED' ? [isNotNull(cases.closedMonth)] : []),
        ...inRange(month, request),
        ...ofCategories(cases.crimeCategory, request),
      ),
    )
    .groupBy(...grouped)
  return cellsOf(measure, rows)
}

/**
 * Persons in a role count once per crime category and month of the cases they appear in with that
 * role (the case's opening month); persons rescued or repatriated once per category of their cases
 * and the month of their status change.
 */
async function personsCounted(
  db: Database,
  counted: CountedRows,
  request: StatisticsRequest,
  measure: StatisticsMeasure,
): Promise<BaseCell[]> {
  const role = roleOf[measure]
  const status = statusOf[measure]
  const month = role ? cases.openedMonth : persons.statusMonth
  const { selected, grouped } = gridColumns(
    { category: cases.crimeCategory, month, nationality: persons.nationality, status: persons.status },
    request,
  )
  const rows = await db
    .select({ ...selected, value: countDistinct(persons.id) })
    .from(casePersons)
    .innerJoin(cases, eq(cases.id, casePersons.caseId))
    .innerJoin(persons, eq(persons.id, casePersons.personId))
    .where(
      and(
        eq(persons.agency, counted.agency),
        eq(cases.agency, counted.agency),
        rowFilterToSql('persons', counted.persons),
        rowFilterToSql('cases', counted.cases),
        ...(role ? [eq(casePersons.role, role)] : []),
        ...(status ? [eq(persons.status, status), isNotNull(persons.statusMonth)] : []),
        ...inRange(month, request),
        ...ofCategories(cases.crimeCategory, request),
      ),
    )
    .groupBy(...grouped)
  return cellsOf(measure, rows)
}

/** Active syndicates are a state, not an event: no month, and the time range does not apply. */
async function activeSyndicates(db: Database, counted: CountedRows, request: StatisticsRequest) {
  const { selected, grouped } = gridColumns(
    { category: syndicates.crimeCategory, month: null, nationality: null, status: syndicates.status },
    request,
  )
  const rows = await db
    .select({ ...selected, value: count() })
    .from(syndicates)
    .where(
      and(
        eq(syndicates.agency, counted.agency),
        rowFilterToSql('syndicates', counted.syndicates),
        eq(syndicates.status, 'ACTIVE'),
        ...ofCategories(syndicates.crimeCategory, request),
      ),
    )
    .groupBy(...grouped)
  return cellsOf('ACTIVE_SYNDICATES', rows)
}

function liveCellsOfMeasure(
  db: Database,
  counted: CountedRows,
  request: StatisticsRequest,
  measure: StatisticsMeasure,
) {
  if (measure === 'CASES_OPENED' || measure === 'CASES_CLOSED')
    return casesOpenedOrClosed(db, counted, request, measure)
  if (measure === 'ACTIVE_SYNDICATES') return activeSyndicates(db, counted, request)
  return personsCounted(db, counted, request, measure)
}

/** Cases opened or closed, summed from `stats_case_counts`: every case filter is a column of its key. */
async function casesFromRollup(
  db: Database,
  agency: string,
  filter: RowFilter,
  request: StatisticsRequest,
  measure: 'CASES_OPENED' | 'CASES_CLOSED',
): Promise<BaseCell[]> {
  const t = statsCaseCounts
  const { selected, grouped } = gridColumns(
    { category: t.crimeCategory, month: t.month, nationality: null, status: t.status },
    request,
  )
  const rows = await db
    .select({ ...selected, value: sql<number>`sum(${t.cases})::int` })
    .from(t)
    .where(
      and(
        eq(t.agency, agency),
        eq(t.measure, measure === 'CASES_OPENED' ? 'OPENED' : 'CLOSED'),
        inArray(t.tlp, levelsUpTo(filter.tlpCeiling)),
        ...(filter.handlingCodes ? [inArray(t.handlingCode, [...filter.handlingCodes])] : []),
        ...(filter.crimeCategories ? [inArray(t.crimeCategory, [...filter.crimeCategories])] : []),
        ...inRange(t.month, request),
        ...ofCategories(t.crimeCategory, request),
      ),
    )
    .groupBy(...grouped)
  return cellsOf(measure, rows)
}

const personCellMeasure: Partial<Record<StatisticsMeasure, string>> = { ...roleOf, ...statusOf }

/**
 * Persons summed from `stats_person_counts` (the person cells counted by key, one cell per person):
 * exact when the person filter is TLP and handling codes only (columns of the key) and the case
 * filter has no handling codes (a cell keeps the lowest TLP of its cases, not their handling codes).
 */
async function personsFromRollup(
  db: Database,
  agency: string,
  filters: { persons: RowFilter; cases: RowFilter },
  request: StatisticsRequest,
  measure: StatisticsMeasure,
): Promise<BaseCell[]> {
  const t = statsPersonCounts
  const { selected, grouped } = gridColumns(
    { category: t.crimeCategory, month: t.month, nationality: t.nationality, status: t.status },
    request,
  )
  const rows = await db
    .select({ ...selected, value: sql<number>`sum(${t.persons})::int` })
    .from(t)
    .where(
      and(
        eq(t.agency, agency),
        eq(t.measure, personCellMeasure[measure] as string),
        inArray(t.tlp, levelsUpTo(filters.persons.tlpCeiling)),
        ...(filters.persons.handlingCodes
          ? [inArray(t.handlingCode, [...filters.persons.handlingCodes])]
          : []),
        inArray(t.minCaseTlp, levelsUpTo(filters.cases.tlpCeiling)),
        ...(filters.cases.crimeCategories
          ? [inArray(t.crimeCategory, [...filters.cases.crimeCategories])]
          : []),
        ...inRange(t.month, request),
        ...ofCategories(t.crimeCategory, request),
      ),
    )
    .groupBy(...grouped)
  return cellsOf(measure, rows)
}

function cellsOfMeasure(
  db: Database,
  counted: CountedRows,
  request: StatisticsRequest,
  measure: StatisticsMeasure,
): Promise<BaseCell[]> {
  const { cases: caseFilter, persons: personFilter } = counted
  if (measure === 'CASES_OPENED' || measure === 'CASES_CLOSED') {
    if (caseFilter === 'deny') return Promise.resolve([])
    return casesFromRollup(db, counted.agency, caseFilter, request, measure)
  }
  if (measure !== 'ACTIVE_SYNDICATES' && caseFilter !== 'deny' && personFilter !== 'deny') {
    const exact = !personFilter.personRoles && !personFilter.crimeCategories && !caseFilter.handlingCodes
    if (exact)
      return personsFromRollup(
        db,
        counted.agency,
        { persons: personFilter, cases: caseFilter },
        request,
        measure,
      )
  }
  return liveCellsOfMeasure(db, counted, request, measure)
}

/** The base cells of every measure asked for; one query per measure, each a single GROUP BY. */
export async function statisticsBaseCells(
  db: Database,
  counted: CountedRows,
  request: StatisticsRequest,
): Promise<BaseCell[]> {
  const perMeasure = await Promise.all(
    request.measures.map((measure) => cellsOfMeasure(db, counted, request, measure)),
  )
  return perMeasure.flat()
}

/** The same cells counted from the records themselves, never from a rollup: what the rollups must equal. */
export async function liveBaseCells(
  db: Database,
  counted: CountedRows,
  request: StatisticsRequest,
): Promise<BaseCell[]> {
  const perMeasure = await Promise.all(
    request.measures.map((measure) => liveCellsOfMeasure(db, counted, request, measure)),
  )
  return perMeasure.flat()
}
