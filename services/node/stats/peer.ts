/**
 * A statistics question to a peer and the check of its answer, pure. The asker always forwards one
 * fixed selection (every field of the table), whatever the officer selected, because the merge
 * needs the whole table; the peer's table is then rebuilt here from checked values only. A peer's
 * table that breaks the protocol's promises (another agency's table, a measure not asked for, a
 * released count under the peer's own minimum, a value beside a suppression mark) is refused
 * whole: a merge must never turn a peer's mistake into a disclosure.
 */
import type { StatisticsTotal } from './disclosure.ts'
import type { StatisticsRequest } from './model.ts'
import type { AgencyStatistics, ReleasedCell } from './service.ts'

export const peerStatisticsQuery = `query PeerStatistics($measures: [StatisticsMeasure!]!, $groupBy: [StatisticsDimension!], $filter: StatisticsFilter) {
  result: statistics(measures: $measures, groupBy: $groupBy, filter: $filter) {
    tables {
      agency
      minimumCell
      cells { measure agency crimeCategory month year nationality status value suppressed complete }
      totals { measure value includesSuppressed complete suppressedCells }
    }
  }
}`

/** The variables of `peerStatisticsQuery` for a checked request. */
export function peerStatisticsVariables(request: StatisticsRequest): Record<string, unknown> {
  const filter: Record<string, unknown> = {}
  if (request.fromMonth) filter.fromMonth = request.fromMonth.slice(0, 7)
  if (request.toMonth) filter.toMonth = request.toMonth.slice(0, 7)
  if (request.crimeCategories) filter.crimeCategories = request.crimeCategories
  return { measures: request.measures, groupBy: request.groupBy, filter }
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0
const keyFields = ['agency', 'crimeCategory', 'month', 'year', 'nationality', 'status'] as const
const dimensionOf = {
  agency: 'AGENCY',
  crimeCategory: 'CRIME_CATEGORY',
  month: 'MONTH',
  year: 'YEAR',
  nationality: 'NATIONALITY',
  status: 'STATUS',
} as const

function checkedCell(
  raw: Record<string, unknown>,
  request: StatisticsRequest,
  agency: string,
  minimumCell: number,
): ReleasedCell | undefined {
  const measure = raw.measure as ReleasedCell['measure']
  if (!request.measures.includes(measure)) return undefined
  const { value, suppressed, complete } = raw
  if (typeof suppressed !== 'boolean' || typeof complete !== 'boolean') return undefined
  if (suppressed ? value !== null || complete : !isCount(value) || value < minimumCell) return undefined
  for (const field of keyFields) {
    if (raw[field] !== null && !request.groupBy.includes(dimensionOf[field])) return undefined
  }
  if (raw.agency !== null && raw.agency !== agency) return undefined
  return {
    measure,
    agency: raw.agency as string | null,
    crimeCategory: raw.crimeCategory as string | null,
    month: raw.month as string | null,
    year: raw.year as number | null,
    nationality: raw.nationality as string | null,
    status: raw.status as string | null,
    value: value as number | null,
    suppressed,
    complete,
  }
}

function checkedTotal(raw: Record<string, unknown>, request: StatisticsRequest): StatisticsTotal | undefined {
  const measure = raw.measure as StatisticsTotal['measure']
  const { value, includesSuppressed, complete, suppressedCells } = raw
  if (!request.measures.includes(measure) || !isCount(value) || !isCount(suppressedCells)) return undefined
  // A total that included suppressed counts would let a reader subtract the released cells from it.
  if (includesSuppressed !== false || typeof complete !== 'boolean') return undefined
  if (complete !== (suppressedCells === 0)) return undefined
  return { measure, value, includesSuppressed, complete, suppressedCells }
}

/**
 * The peer's table from its answer's `result` (already checked against the schema's shape), or
 * undefined when it is not exactly one table of that agency keeping the protocol's promises.
 */
export function peerTableOf(
  result: unknown,
  agency: string,
  request: StatisticsRequest,
): AgencyStatistics | undefined {
  const tables = (result as { tables?: unknown } | null)?.tables
  if (!Array.isArray(tables) || tables.length !== 1) return undefined
  const table = tables[0] as Record<string, unknown>
  const minimumCell = table.minimumCell
  if (table.agency !== agency || !isCount(minimumCell) || minimumCell < 1) return undefined
  if (!Array.isArray(table.cells) || !Array.isArray(table.totals)) return undefined
  const cells: ReleasedCell[] = []
  for (const raw of table.cells as Record<string, unknown>[]) {
    const cell = checkedCell(raw, request, agency, minimumCell)
    if (!cell) return undefined
    cells.push(cell)
  }
  const totals: StatisticsTotal[] = []
  for (const raw of table.totals as Record<string, unknown>[]) {
    const total = checkedTotal(raw, request)
    if (!total) return undefined
    totals.push(total)
  }
  if (totals.map((total) => total.measure).join() !== request.measures.join()) return undefined
  return { agency, minimumCell, cells, totals }
}
