/**
 * Cursors and global ids are parsed strictly: whatever a client sends, the answer is the value this
 * node issued or a coded refusal, never a crash or a value that reaches SQL unchecked.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JaringError } from '../../../services/node/errors.ts'
import { decodeCursor, encodeCursor, pageSize } from '../../../services/node/records/cursor.ts'
import { parseGlobalId } from '../../../services/node/records/global-id.ts'
import { formatPartialDate, parsePartialDate } from '../../../services/node/records/values.ts'

function codeOf(work: () => unknown): string | undefined {
  try {
    work()
    return undefined
  } catch (error) {
    if (error instanceof JaringError) return error.code
    throw error
  }
}

describe('cursors', () => {
  const uuid = fc.uuid()
  const date = fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })

  it('decodes every cursor it issues, to the same position', () => {
    fc.assert(
      fc.property(date, uuid, (when, id) => {
        const day = { sortValue: when.toISOString().slice(0, 10), uuid: id }
        expect(decodeCursor('case', 'date', encodeCursor('case', day))).toEqual(day)
        const instant = { sortValue: `${when.toISOString().slice(0, 19)}.123456`, uuid: id }
        expect(decodeCursor('person', 'timestamp', encodeCursor('person', instant))).toEqual(instant)
      }),
    )
  })

  it('refuses anything else with INVALID_CURSOR', () => {
    const anyText = fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' }))
    fc.assert(
      fc.property(anyText, (text) => {
        const code = codeOf(() => decodeCursor('case', 'date', text))
        expect(code === undefined || code === 'INVALID_CURSOR').toBe(true)
      }),
    )
    const forged = fc
      .tuple(fc.string(), fc.jsonValue(), fc.jsonValue())
      .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'))
    fc.assert(
      fc.property(forged, (text) => {
        expect(codeOf(() => decodeCursor('case', 'date', text))).toBe('INVALID_CURSOR')
      }),
    )
    const wrongResource = encodeCursor('person', {
      sortValue: '2025-01-01',
      uuid: '00000000-0000-4000-8000-000000000000',
    })
    expect(codeOf(() => decodeCursor('case', 'date', wrongResource))).toBe('INVALID_CURSOR')
  })

  it('takes page sizes from 1 to the limit', () => {
    expect(pageSize(undefined, 100)).toBe(20)
    expect(pageSize(100, 100)).toBe(100)
    expect(codeOf(() => pageSize(101, 100))).toBe('PAGE_TOO_LARGE')
    expect(codeOf(() => pageSize(0, 100))).toBe('VALIDATION_FAILED')
    expect(codeOf(() => pageSize(1.5, 100))).toBe('VALIDATION_FAILED')
  })
})

describe('global ids', () => {
  it('parses AGENCY:uuid and refuses everything else with INVALID_GLOBAL_ID', () => {
    expect(parseGlobalId('TH-RTP:0B5C8A52-3B0E-4E8E-9A3F-0B6B0F6C1E11')).toEqual({
      agency: 'TH-RTP',
      uuid: '0b5c8a52-3b0e-4e8e-9a3f-0b6b0f6c1e11',
    })
    fc.assert(
      fc.property(fc.string(), (text) => {
        const code = codeOf(() => parseGlobalId(text))
        expect(code).toBe('INVALID_GLOBAL_ID')
      }),
    )
  })
})

describe('partial dates', () => {
  it('keeps the precision it was given', () => {
    for (const [text, date, precision] of [
      ['1994', '1994-01-01', 'YEAR'],
      ['1994-07', '1994-07-01', 'MONTH'],
      ['1994-07-09', '1994-07-09', 'DAY'],
    ] as const) {
      expect(parsePartialDate(text, 'dateOfBirth')).toEqual({ date, precision })
      expect(formatPartialDate(date, precision)).toBe(text)
    }
    for (const text of ['94', '1994-7', '1994-00', '1994-02-30', '0999', '1994-07-09T00:00:00Z', '']) {
      expect(
        codeOf(() => parsePartialDate(text, 'dateOfBirth')),
        text,
      ).toBe('VALIDATION_FAILED')
    }
  })
})
