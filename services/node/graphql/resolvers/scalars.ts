/**
 * The custom scalars of the schema, checked strictly on the way in (variables and literals) so a
 * malformed date or country never reaches a repository, and written in one form on the way out.
 * A refusal is VALIDATION_FAILED; the error formatter keeps the code and drops the value.
 */
import { Kind, type ValueNode } from 'graphql'
import { agencyCodePattern } from '../../../../schema/vocabulary.ts'
import { JaringError } from '../../errors.ts'
import { isRealDate } from '../../records/cursor.ts'

interface ScalarResolver {
  serialize(value: unknown): unknown
  parseValue(value: unknown): unknown
  parseLiteral(node: ValueNode): unknown
}

/**
 * graphql wraps a scalar's error once or twice (a variable: in the value's error, then in the
 * variable's) and copies `extensions` from the error it wraps at each step, so the code carried
 * here survives however deep the wrapping goes.
 */
function refuse(detail: string): JaringError {
  return Object.assign(new JaringError('VALIDATION_FAILED', { detail }), {
    extensions: { code: 'VALIDATION_FAILED' },
  })
}

/** A string scalar whose values must pass `check` (which returns the value to use). */
function stringScalar(
  name: string,
  check: (text: string) => string | undefined,
  expected: string,
): ScalarResolver {
  const parse = (value: unknown) => {
    const parsed = typeof value === 'string' ? check(value) : undefined
    if (parsed === undefined) throw refuse(`${name} must be ${expected}.`)
    return parsed
  }
  return {
    serialize: (value) => value,
    parseValue: parse,
    parseLiteral: (node) => {
      if (node.kind !== Kind.STRING) throw refuse(`${name} must be ${expected}.`)
      return parse(node.value)
    },
  }
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/
const partialDatePattern = /^\d{4}(-\d{2}(-\d{2})?)?$/
const countryPattern = /^[A-Z]{2}$/
const dateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

const checkDate = (text: string) => (datePattern.test(text) && isRealDate(text) ? text : undefined)

export const scalarResolvers: Record<string, ScalarResolver> = {
  Date: stringScalar('A Date', checkDate, 'a calendar date YYYY-MM-DD'),
  PartialDate: stringScalar(
    'A PartialDate',
    (text) => {
      if (!partialDatePattern.test(text)) return undefined
      const padded = text.length === 4 ? `${text}-01-01` : text.length === 7 ? `${text}-01` : text
      return isRealDate(padded) ? text : undefined
    },
    'YYYY, YYYY-MM or YYYY-MM-DD',
  ),
  CountryCode: stringScalar(
    'A CountryCode',
    (text) => (countryPattern.test(text) ? text : undefined),
    'an ISO 3166-1 alpha-2 code in upper case, such as TH',
  ),
  AgencyCode: stringScalar(
    'An AgencyCode',
    (text) => (agencyCodePattern.test(text) ? text : undefined),
    'an agency code such as TH-RTP',
  ),
  // Any string gets through: the repository decodes it and answers INVALID_CURSOR, as REST does.
  Cursor: stringScalar('A Cursor', (text) => text, 'a cursor from pageInfo.endCursor'),
  DateTime: {
    ...stringScalar(
      'A DateTime',
      (text) => (dateTimePattern.test(text) && isRealDate(text) ? text : undefined),
      'an RFC 3339 date-time such as 2026-03-01T08:30:00Z',
    ),
    serialize: (value) => (value instanceof Date ? value.toISOString() : value),
  },
}
