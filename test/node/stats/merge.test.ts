/**
 * Merging agencies' tables: released values add up by key, a suppressed part never becomes a
 * value and keeps the merged cell incomplete, and totals stay over released values only.
 */
import { describe, expect, it } from 'vitest'
import { mergeTables } from '../../../services/node/stats/merge.ts'
import type { AgencyStatistics, ReleasedCell } from '../../../services/node/stats/service.ts'

const cell = (category: string, value: number | null, complete = value !== null): ReleasedCell => ({
  measure: 'CASES_OPENED',
  agency: null,
  crimeCategory: category,
  month: null,
  year: null,
  nationality: null,
  status: null,
  value,
  suppressed: value === null,
  complete,
})

const table = (agency: string, cells: ReleasedCell[]): AgencyStatistics => ({
  agency,
  minimumCell: 5,
  cells,
  totals: [],
})

describe('merging statistics tables', () => {
  it('adds released values by key and keeps every suppressed part marked', () => {
    const merged = mergeTables(
      [
        table('TH-RTP', [cell('CYBERCRIME', 12), cell('TRAFFICKING_IN_PERSONS', null)]),
        table('VN-MPS', [
          cell('CYBERCRIME', 7, false),
          cell('TRAFFICKING_IN_PERSONS', null),
          cell('TERRORISM', 5),
        ]),
      ],
      ['CASES_OPENED'],
    )
    expect(merged.agencies).toEqual(['TH-RTP', 'VN-MPS'])
    expect(
      merged.cells.map(({ crimeCategory, value, suppressed, complete }) => ({
        crimeCategory,
        value,
        suppressed,
        complete,
      })),
    ).toEqual([
      { crimeCategory: 'CYBERCRIME', value: 19, suppressed: false, complete: false },
      { crimeCategory: 'TERRORISM', value: 5, suppressed: false, complete: true },
      { crimeCategory: 'TRAFFICKING_IN_PERSONS', value: null, suppressed: true, complete: false },
    ])
    expect(merged.totals).toEqual([
      { measure: 'CASES_OPENED', value: 24, includesSuppressed: false, complete: false, suppressedCells: 2 },
    ])
  })

  it('marks a cell suppressed in one agency and released in another as incomplete, never as suppressed', () => {
    const merged = mergeTables(
      [table('TH-RTP', [cell('CYBERCRIME', null)]), table('VN-MPS', [cell('CYBERCRIME', 9)])],
      ['CASES_OPENED'],
    )
    expect(merged.cells).toEqual([expect.objectContaining({ value: 9, suppressed: false, complete: false })])
  })
})
