/**
 * The CSV form of a statistics result: one line per cell, then one per total, every table of the
 * result (one per agency) in turn; for a federated result (one that asked peers) then the merged
 * cells (`merged`) and totals (`merged-total`), and one line per peer (`peer`, its status in the
 * `status` column). Values are vocabulary codes, ISO codes and numbers only, so no field needs
 * quoting and none can start a spreadsheet formula.
 */
import type { StatisticsResult } from './service.ts'

export const csvColumns = [
  'row',
  'agency',
  'measure',
  'crimeCategory',
  'month',
  'year',
  'nationality',
  'status',
  'value',
  'suppressed',
  'complete',
  'includesSuppressed',
] as const

const field = (value: string | number | boolean | null) => (value === null ? '' : String(value))

type Cells = StatisticsResult['merged']['cells']
type Totals = StatisticsResult['merged']['totals']

function tableLines(
  lines: string[],
  rows: { cell: string; total: string },
  agency: string | null,
  cells: Cells,
  totals: Totals,
): void {
  for (const cell of cells) {
    lines.push(
      [
        rows.cell,
        cell.agency ?? agency,
        cell.measure,
        cell.crimeCategory,
        cell.month,
        cell.year,
        cell.nationality,
        cell.status,
        cell.value,
        cell.suppressed,
        cell.complete,
        false,
      ]
        .map(field)
        .join(','),
    )
  }
  for (const total of totals) {
    lines.push(
      [
        rows.total,
        agency,
        total.measure,
        null,
        null,
        null,
        null,
        null,
        total.value,
        false,
        total.complete,
        total.includesSuppressed,
      ]
        .map(field)
        .join(','),
    )
  }
}

export function statisticsCsv(result: StatisticsResult): string {
  const lines = [csvColumns.join(',')]
  for (const table of result.tables) {
    tableLines(lines, { cell: 'cell', total: 'total' }, table.agency, table.cells, table.totals)
  }
  if (result.peers.length > 0) {
    const { cells, totals } = result.merged
    tableLines(lines, { cell: 'merged', total: 'merged-total' }, null, cells, totals)
    for (const peer of result.peers) {
      lines.push(
        ['peer', peer.agency, null, null, null, null, null, peer.status, null, null, null, null]
          .map(field)
          .join(','),
      )
    }
  }
  return `${lines.join('\r\n')}\r\n`
}
