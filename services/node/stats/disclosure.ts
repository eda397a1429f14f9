/**
 * Disclosure control, pure: from the base cells a node counted to the table it may release.
 *
 * The rule (docs/statistics.md, "Why no cell can be recovered by subtraction"):
 * 1. Fixed grid. Time is counted in whole calendar months and categories from the fixed list, so
 *    every query selects whole base groups: one measure in one crime category and one month.
 * 2. Primary suppression. A base cell under the minimum cell size is suppressed.
 * 3. Whole groups. When the query splits a base group further (by nationality or status) and any
 *    part of it is suppressed, every part of that group is suppressed: the released parts of a
 *    group would otherwise give the suppressed one away by subtraction from the group's total,
 *    which another query releases.
 * 4. Released values are sums of released base groups only. A coarser cell (a year, a category
 *    over all months, a total) never includes a suppressed group; it says it is incomplete instead.
 * The difference of two released values (nested time ranges, complementary category filters) is
 * then itself a sum of released base groups, so it reveals nothing that was suppressed.
 */
import type { BaseCell, StatisticsDimension, StatisticsMeasure, StatisticsRequest } from './model.ts'

export interface StatisticsKey {
  agency: string | null
  crimeCategory: string | null
  month: string | null
  year: number | null
  nationality: string | null
  status: string | null
}

export interface StatisticsCell {
  measure: StatisticsMeasure
  key: StatisticsKey
  /** Absent (null) when suppressed. */
  value: number | null
  suppressed: boolean
  /** False when suppressed base groups were left out of the value (it is then a lower bound). */
  complete: boolean
}

export interface StatisticsTotal {
  measure: StatisticsMeasure
  /** The sum of the released cells of the measure. */
  value: number
  /** Whether the total includes suppressed cells: never, by the rule above. */
  includesSuppressed: boolean
  /** Whether nothing was left out; false when any cell of the measure was suppressed. */
  complete: boolean
  /** How many cells of the measure were suppressed, whole or in part. */
  suppressedCells: number
}

export interface AgencyTable {
  agency: string
  minimumCell: number
  cells: StatisticsCell[]
  totals: StatisticsTotal[]
}

const groupKey = (cell: BaseCell) => `${cell.measure}|${cell.crimeCategory}|${cell.month ?? ''}`

function keyOf(cell: BaseCell, agency: string, groupBy: readonly StatisticsDimension[]): StatisticsKey {
  const by = (dimension: StatisticsDimension) => groupBy.includes(dimension)
  return {
    agency: by('AGENCY') ? agency : null,
    crimeCategory: by('CRIME_CATEGORY') ? cell.crimeCategory : null,
    month: by('MONTH') && cell.month ? cell.month.slice(0, 7) : null,
    year: by('YEAR') && cell.month ? Number(cell.month.slice(0, 4)) : null,
    nationality: by('NATIONALITY') ? cell.nationality : null,
    status: by('STATUS') ? cell.status : null,
  }
}

const keyText = (measure: string, key: StatisticsKey) =>
  [measure, key.agency, key.crimeCategory, key.month, key.year, key.nationality, key.status].join('|')

/** The base groups of which some part is under the minimum: all their parts are withheld (rules 2 and 3). */
export function suppressedGroups(cells: readonly BaseCell[], minimumCell: number): Set<string> {
  const suppressed = new Set<string>()
  for (const cell of cells) if (cell.value < minimumCell) suppressed.add(groupKey(cell))
  return suppressed
}

/** The table this node may release for the request: suppressed cells without a value, totals over released cells. */
export function releasedTable(
  agency: string,
  request: StatisticsRequest,
  cells: readonly BaseCell[],
  minimumCell: number,
): AgencyTable {
  const withheld = suppressedGroups(cells, minimumCell)
  const output = new Map<string, { cell: StatisticsCell; released: number; withheld: number }>()
  for (const cell of cells) {
    if (cell.value <= 0) continue
    const key = keyOf(cell, agency, request.groupBy)
    const text = keyText(cell.measure, key)
    let entry = output.get(text)
    if (!entry) {
      entry = {
        cell: { measure: cell.measure, key, value: null, suppressed: false, complete: true },
        released: 0,
        withheld: 0,
      }
      output.set(text, entry)
    }
    if (withheld.has(groupKey(cell))) entry.withheld += 1
    else entry.released += cell.value
  }
  const released: StatisticsCell[] = []
  for (const { cell, released: value, withheld: parts } of output.values()) {
    const onlyWithheld = parts > 0 && value === 0
    released.push({
      ...cell,
      value: onlyWithheld ? null : value,
      suppressed: onlyWithheld,
      complete: parts === 0,
    })
  }
  released.sort(compareCells(request))
  const totals = request.measures.map((measure): StatisticsTotal => {
    const ofMeasure = released.filter((cell) => cell.measure === measure)
    const suppressedCells = ofMeasure.filter((cell) => !cell.complete).length
    return {
      measure,
      value: ofMeasure.reduce((sum, cell) => sum + (cell.value ?? 0), 0),
      includesSuppressed: false,
      complete: suppressedCells === 0,
      suppressedCells,
    }
  })
  return { agency, minimumCell, cells: released, totals }
}

/** Measures in the request's order, then the key's values: the same request always reads the same. */
function compareCells(request: StatisticsRequest) {
  const order = (measure: StatisticsMeasure) => request.measures.indexOf(measure)
  const text = (key: StatisticsKey) =>
    [key.agency, key.crimeCategory, key.month, key.year, key.nationality, key.status]
      .map((value) => (value === null ? '' : String(value)))
      .join('\u0000')
  return (a: StatisticsCell, b: StatisticsCell) =>
    order(a.measure) - order(b.measure) ||
    (text(a.key) < text(b.key) ? -1 : text(a.key) > text(b.key) ? 1 : 0)
}
