/**
 * Disclosure control, pure: primary suppression, whole groups, totals over released cells only,
 * and the property behind the rule against differencing: nothing a node releases depends on the
 * value of a suppressed count, so no combination of allowed queries can recover one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crimeCategories } from '../../../schema/vocabulary.ts'
import { JaringError } from '../../../services/node/errors.ts'
import { releasedTable } from '../../../services/node/stats/disclosure.ts'
import {
  type BaseCell,
  type StatisticsDimension,
  statisticsDimensions,
  statisticsRequestOf,
} from '../../../services/node/stats/model.ts'

const request = (groupBy: StatisticsDimension[]) =>
  statisticsRequestOf({ measures: ['CASES_OPENED'], groupBy })

const cell = (
  crimeCategory: BaseCell['crimeCategory'],
  month: string,
  value: number,
  status: string | null = null,
) =>
  ({
    measure: 'CASES_OPENED',
    crimeCategory,
    month: `${month}-01`,
    nationality: null,
    status,
    value,
  }) as BaseCell

describe('statistics disclosure control', () => {
  it('suppresses a cell under the minimum: no value, marked, and left out of the total', () => {
    const table = releasedTable(
      'TH-RTP',
      request(['CRIME_CATEGORY', 'MONTH']),
      [cell('CYBERCRIME', '2026-01', 7), cell('CYBERCRIME', '2026-02', 3)],
      5,
    )
    expect(table.cells).toEqual([
      expect.objectContaining({
        key: expect.objectContaining({ month: '2026-01' }),
        value: 7,
        suppressed: false,
      }),
      expect.objectContaining({
        key: expect.objectContaining({ month: '2026-02' }),
        value: null,
        suppressed: true,
      }),
    ])
    expect(table.totals).toEqual([
      { measure: 'CASES_OPENED', value: 7, includesSuppressed: false, complete: false, suppressedCells: 1 },
    ])
  })

  it('releases a coarser cell as the sum of released months only, marked incomplete', () => {
    const table = releasedTable(
      'TH-RTP',
      request(['CRIME_CATEGORY']),
      [cell('CYBERCRIME', '2026-01', 7), cell('CYBERCRIME', '2026-02', 3)],
      5,
    )
    expect(table.cells).toEqual([expect.objectContaining({ value: 7, suppressed: false, complete: false })])
  })

  it('withholds every part of a month once one part of its split is under the minimum', () => {
    // 5 closed and 1 open: releasing CLOSED=5 next to the unsplit 6 would give OPEN=1 away.
    const table = releasedTable(
      'TH-RTP',
      request(['STATUS']),
      [cell('CYBERCRIME', '2026-01', 5, 'CLOSED'), cell('CYBERCRIME', '2026-01', 1, 'OPEN')],
      5,
    )
    expect(table.cells.every((released) => released.suppressed && released.value === null)).toBe(true)
    expect(table.totals[0]?.value).toBe(0)
  })

  it('refuses inputs off the fixed grid with coded errors', () => {
    const refused = (args: Parameters<typeof statisticsRequestOf>[0]) => {
      try {
        statisticsRequestOf(args)
      } catch (error) {
        return error instanceof JaringError ? [error.code, error.path] : ['not coded']
      }
      return ['accepted']
    }
    expect(refused({ measures: [] })).toEqual(['VALIDATION_FAILED', 'measures'])
    expect(refused({ measures: ['ROWS'] })).toEqual(['VALIDATION_FAILED', 'measures'])
    expect(refused({ measures: ['CASES_OPENED'], groupBy: ['NAME'] })).toEqual([
      'VALIDATION_FAILED',
      'groupBy',
    ])
    expect(refused({ measures: ['CASES_OPENED'], filter: { fromMonth: '2026-01-15' } })).toEqual([
      'VALIDATION_FAILED',
      'filter.fromMonth',
    ])
    expect(
      refused({ measures: ['CASES_OPENED'], filter: { fromMonth: '2026-03', toMonth: '2026-01' } }),
    ).toEqual(['VALIDATION_FAILED', 'filter.toMonth'])
    expect(
      refused({ measures: ['CASES_OPENED'], filter: { fromMonth: '2000-01', toMonth: '2026-01' } }),
    ).toEqual(['VALIDATION_FAILED', 'filter.fromMonth'])
    expect(refused({ measures: ['CASES_OPENED'], filter: { crimeCategories: ['ARSON'] } })).toEqual([
      'VALIDATION_FAILED',
      'filter.crimeCategories',
    ])
    expect(
      refused({ measures: ['CASES_OPENED'], filter: { fromMonth: '2026-01', toMonth: '2026-12' } }),
    ).toEqual(['accepted'])
  })

  const months = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03']
  const categories = crimeCategories.slice(0, 3)
  const statuses = ['OPEN', 'CLOSED']
  const minimumCell = 5

  /** Every (category, month, status) with a count of 1..20, or absent. */
  const baseCells = fc
    .array(fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }), {
      minLength: categories.length * months.length * statuses.length,
      maxLength: categories.length * months.length * statuses.length,
    })
    .map((values) =>
      values.flatMap((value, index) => {
        if (value === undefined) return []
        const category = categories[index % categories.length] as BaseCell['crimeCategory']
        const month = months[Math.floor(index / categories.length) % months.length] as string
        const status = statuses[Math.floor(index / (categories.length * months.length))] as string
        return [cell(category, month, value, status)]
      }),
    )

  /** The base cells of an unsplit query: the statuses of a month added up, as the SQL would count them. */
  function unsplit(cells: readonly BaseCell[]): BaseCell[] {
    const sums = new Map<string, BaseCell>()
    for (const part of cells) {
      const key = `${part.crimeCategory}|${part.month}`
      const sum = sums.get(key)
      sums.set(key, sum ? { ...sum, value: sum.value + part.value } : { ...part, status: null })
    }
    return [...sums.values()]
  }

  /** Every base group with a part under the minimum gets other values that keep it withheld. */
  function perturbWithheld(cells: readonly BaseCell[], seed: number): BaseCell[] {
    const withheld = new Set(
      cells.filter((part) => part.value < minimumCell).map((part) => `${part.crimeCategory}|${part.month}`),
    )
    return cells.map((part, index) => {
      if (!withheld.has(`${part.crimeCategory}|${part.month}`)) return part
      const small = part.value < minimumCell
      const value = small ? 1 + ((seed + index) % (minimumCell - 1)) : minimumCell + ((seed + index) % 9)
      return { ...part, value }
    })
  }

  it('releases nothing that depends on a suppressed count, for any grouping, range or categories', () => {
    fc.assert(
      fc.property(
        baseCells,
        fc.subarray([...statisticsDimensions]),
        fc.integer({ min: 0, max: months.length - 1 }),
        fc.integer({ min: 0, max: months.length - 1 }),
        fc.subarray(categories, { minLength: 1 }),
        fc.nat(),
        (cells, groupBy, a, b, chosen, seed) => {
          const [from, to] = [months[Math.min(a, b)] as string, months[Math.max(a, b)] as string]
          const selected = (all: readonly BaseCell[]) =>
            all.filter(
              (part) =>
                (chosen as string[]).includes(part.crimeCategory) &&
                (part.month as string) >= `${from}-01` &&
                (part.month as string) <= `${to}-01`,
            )
          const query = request(groupBy as StatisticsDimension[])
          const split = groupBy.includes('STATUS')
          const counted = (all: readonly BaseCell[]) => (split ? selected(all) : unsplit(selected(all)))
          const original = counted(cells)
          // The perturbation is of what the query counts: its own base groups.
          const perturbed = perturbWithheld(original, seed)
          expect(releasedTable('TH-RTP', query, perturbed, minimumCell)).toEqual(
            releasedTable('TH-RTP', query, original, minimumCell),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('makes nested ranges and complementary filters differ only by released cells', () => {
    fc.assert(
      fc.property(baseCells, (cells) => {
        const whole = unsplit(cells)
        const total = (subset: readonly BaseCell[]) =>
          releasedTable('TH-RTP', request([]), subset, minimumCell).totals[0]?.value ?? 0
        const released = (subset: readonly BaseCell[]) =>
          subset.filter((part) => part.value >= minimumCell).reduce((sum, part) => sum + part.value, 0)
        const late = whole.filter((part) => (part.month as string) >= '2026-01-01')
        const early = whole.filter((part) => (part.month as string) < '2026-01-01')
        // The difference of the nested ranges is the released part of the months between them.
        expect(total(whole) - total(late)).toBe(released(early))
        const first = whole.filter((part) => part.crimeCategory === categories[0])
        const others = whole.filter((part) => part.crimeCategory !== categories[0])
        expect(total(whole) - total(others)).toBe(released(first))
      }),
      { numRuns: 200 },
    )
  })
})
