/**
 * The CSV form of a statistics result: one line per cell, then one per total, every table of the
 * result (one per agency) in turn. Values are vocabulary codes, ISO codes and numbers only, so no
 * field needs quoting and none can start a spreadsheet formula.
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

export function statisticsCsv(result: StatisticsResult): string {
  const lines = [csvColumns.join(',')]
  for (const table of result.tables) {
    for (const cell of table.cells) {
      lines.push(
        [
          'cell',
          cell.agency ?? table.agency,
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
    for (const total of table.totals) {
      lines.push(
        [
          'total',
          table.agency,
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
  return `${lines.join('\r\n')}\r\n`
}
