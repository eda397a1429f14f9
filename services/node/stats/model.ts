/**
 * The statistics a node computes over its own records: the measures, the dimensions they can be
 * grouped by, and the checked form of a request. Pure: the arguments of GraphQL and of the CSV
 * route both pass through `statisticsRequestOf`, so both refuse the same inputs with the same codes.
 */

import {
  type StatisticsDimension,
  type StatisticsMeasure,
  statisticsDimensions,
  statisticsMeasures,
} from '../../../schema/index.ts'
import { type CrimeCategory, crimeCategories } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'

export {
  type StatisticsDimension,
  type StatisticsMeasure,
  statisticsDimensions,
  statisticsMeasures,
} from '../../../schema/index.ts'

/** Whole calendar months only (the fixed grid, docs/statistics.md): `2026-03`. */
const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/

/** The widest range one request may cover: ten years of months. */
export const maxMonthsInRange = 120

export interface StatisticsFilter {
  /** First month counted, `YYYY-MM`, inclusive. */
  fromMonth?: string | null
  /** Last month counted, `YYYY-MM`, inclusive. */
  toMonth?: string | null
  crimeCategories?: readonly string[] | null
}

export interface StatisticsArguments {
  measures?: readonly string[] | null
  groupBy?: readonly string[] | null
  filter?: StatisticsFilter | null
}

/** A checked request: months as first days (`2026-03-01`), lists without duplicates, in canonical order. */
export interface StatisticsRequest {
  measures: readonly StatisticsMeasure[]
  groupBy: readonly StatisticsDimension[]
  fromMonth: string | null
  toMonth: string | null
  crimeCategories: readonly CrimeCategory[] | null
}

function invalid(path: string, detail: string): JaringError {
  return new JaringError('VALIDATION_FAILED', { path, detail })
}

function oneOf<T extends string>(
  values: readonly string[] | null | undefined,
  allowed: readonly T[],
  path: string,
): T[] | null {
  if (values === null || values === undefined) return null
  const unknown = values.find((value) => !(allowed as readonly string[]).includes(value))
  if (unknown !== undefined) throw invalid(path, `"${unknown}" is not one of ${allowed.join(', ')}.`)
  // Canonical order, so that the same question asked twice is the same query.
  return allowed.filter((value) => values.includes(value))
}

function monthIndex(month: string): number {
  const [, year, number] = monthPattern.exec(month) as RegExpExecArray
  return Number(year) * 12 + Number(number) - 1
}

function checkedMonth(value: string | null | undefined, path: string): string | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'string' || !monthPattern.test(value))
    throw invalid(path, 'A month is written YYYY-MM (whole calendar months only).')
  return value
}

export function statisticsRequestOf(args: StatisticsArguments): StatisticsRequest {
  const measures = oneOf(args.measures, statisticsMeasures, 'measures')
  if (!measures || measures.length === 0) throw invalid('measures', 'Name at least one measure.')
  const groupBy = oneOf(args.groupBy, statisticsDimensions, 'groupBy') ?? []
  const filter = args.filter ?? {}
  const fromMonth = checkedMonth(filter.fromMonth, 'filter.fromMonth')
  const toMonth = checkedMonth(filter.toMonth, 'filter.toMonth')
  if (fromMonth && toMonth) {
    const span = monthIndex(toMonth) - monthIndex(fromMonth) + 1
    if (span < 1) throw invalid('filter.toMonth', 'The range ends before it starts.')
    if (span > maxMonthsInRange)
      throw invalid('filter.fromMonth', `A range covers at most ${maxMonthsInRange} months.`)
  }
  const categories = oneOf(filter.crimeCategories, crimeCategories, 'filter.crimeCategories')
  if (categories && categories.length === 0)
    throw invalid('filter.crimeCategories', 'Leave the list out to count every category.')
  return {
    measures,
    groupBy,
    fromMonth: fromMonth && `${fromMonth}-01`,
    toMonth: toMonth && `${toMonth}-01`,
    crimeCategories: categories,
  }
}

/** One count of the base grid: a measure in one crime category and month, split by the extra dimensions asked for. */
export interface BaseCell {
  measure: StatisticsMeasure
  crimeCategory: CrimeCategory
  /** First day of the month (`2026-03-01`); null for a measure that has no month (active syndicates). */
  month: string | null
  nationality: string | null
  status: string | null
  value: number
}
