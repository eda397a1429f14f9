/**
 * Merging agencies' released tables into one, for the asking node. Pure, and it only ever adds
 * released values: a suppressed cell contributes nothing and keeps the merged cell marked, so a
 * merge can never undo another node's suppression.
 */
import type { StatisticsTotal } from './disclosure.ts'
import type { AgencyStatistics, ReleasedCell } from './service.ts'

export interface MergedStatistics {
  agencies: string[]
  cells: ReleasedCell[]
  totals: StatisticsTotal[]
}

const keyOf = (cell: ReleasedCell) =>
  [cell.measure, cell.agency, cell.crimeCategory, cell.month, cell.year, cell.nationality, cell.status].join(
    '|',
  )

export function mergeTables(
  tables: readonly AgencyStatistics[],
  measures: readonly string[],
): MergedStatistics {
  const merged = new Map<string, ReleasedCell>()
  for (const table of tables) {
    for (const cell of table.cells) {
      const key = keyOf(cell)
      const present = merged.get(key)
      if (!present) {
        merged.set(key, { ...cell })
        continue
      }
      const value =
        present.value === null && cell.value === null ? null : (present.value ?? 0) + (cell.value ?? 0)
      merged.set(key, {
        ...present,
        value,
        suppressed: value === null,
        complete: present.complete && cell.complete,
      })
    }
  }
  const cells = [...merged.values()].sort(
    (a, b) =>
      measures.indexOf(a.measure) - measures.indexOf(b.measure) ||
      (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0),
  )
  const totals = measures.map((measure) => {
    const ofMeasure = cells.filter((cell) => cell.measure === measure)
    const suppressedCells = ofMeasure.filter((cell) => !cell.complete).length
    return {
      measure,
      value: ofMeasure.reduce((sum, cell) => sum + (cell.value ?? 0), 0),
      includesSuppressed: false,
      complete: suppressedCells === 0,
      suppressedCells,
    } as StatisticsTotal
  })
  return { agencies: tables.map((table) => table.agency).sort(), cells, totals }
}
