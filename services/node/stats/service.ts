/**
 * One statistics request at this node: check the arguments, decide what the asker may have
 * counted, count in SQL, suppress, and shape the per-agency table. With a reach, the federation
 * adds the other agencies' checked tables and `peers` (`withPeerTables`); `merged` sums the
 * released cells of every table by key.
 */
import type { Database } from '../../../db/open.ts'
import type { Principal } from '../auth/principal.ts'
import { JaringError } from '../errors.ts'
import type { Policy } from '../policy/compile.ts'
import type { TrustRoles } from '../policy/decide.ts'
import { statisticsBaseCells } from '../records/statistics.ts'
import { releasedTable, type StatisticsKey, type StatisticsTotal } from './disclosure.ts'
import { type MergedStatistics, mergeTables } from './merge.ts'
import {
  type StatisticsArguments,
  type StatisticsDimension,
  type StatisticsMeasure,
  type StatisticsRequest,
  statisticsRequestOf,
} from './model.ts'
import { statisticsScopeFor } from './scope.ts'

export interface ReleasedCell extends StatisticsKey {
  measure: StatisticsMeasure
  value: number | null
  suppressed: boolean
  complete: boolean
}

export interface AgencyStatistics {
  agency: string
  minimumCell: number
  cells: ReleasedCell[]
  totals: StatisticsTotal[]
}

export interface PeerReport {
  agency: string
  status: string
  latencyMs: number | null
  code: string | null
}

export interface StatisticsResult {
  measures: readonly StatisticsMeasure[]
  groupBy: readonly StatisticsDimension[]
  fromMonth: string | null
  toMonth: string | null
  crimeCategories: readonly string[] | null
  tables: AgencyStatistics[]
  /** Every table's released cells summed by key, suppressed parts kept marked. */
  merged: MergedStatistics
  peers: PeerReport[]
}

export interface StatisticsSource {
  db: Database
  agency: string
  policy: () => Policy
  trustRoles: () => TrustRoles
}

const month = (first: string | null) => (first ? first.slice(0, 7) : null)

export async function localStatistics(
  source: StatisticsSource,
  principal: Principal | null | undefined,
  args: StatisticsArguments,
  at: Date = new Date(),
): Promise<StatisticsResult> {
  if (!principal) throw new JaringError('UNAUTHENTICATED')
  const request: StatisticsRequest = statisticsRequestOf(args)
  const scope = statisticsScopeFor(source.policy(), principal, {
    agency: source.agency,
    at,
    roles: source.trustRoles(),
  })
  const base = await statisticsBaseCells(source.db, scope.counted, request)
  const table = releasedTable(source.agency, request, base, scope.minimumCell)
  const tables: AgencyStatistics[] = [
    {
      agency: table.agency,
      minimumCell: table.minimumCell,
      cells: table.cells.map(({ key, ...cell }) => ({ ...key, ...cell })),
      totals: table.totals,
    },
  ]
  return {
    measures: request.measures,
    groupBy: request.groupBy,
    fromMonth: month(request.fromMonth),
    toMonth: month(request.toMonth),
    crimeCategories: request.crimeCategories,
    tables,
    merged: mergeTables(tables, request.measures),
    peers: [],
  }
}

/** This node's result with the peers' checked tables added (in agency order) and every peer reported. */
export function withPeerTables(
  local: StatisticsResult,
  peerTables: readonly AgencyStatistics[],
  peers: readonly PeerReport[],
): StatisticsResult {
  const tables = [...local.tables, ...peerTables].sort((a, b) => (a.agency < b.agency ? -1 : 1))
  return { ...local, tables, merged: mergeTables(tables, local.measures), peers: [...peers] }
}
