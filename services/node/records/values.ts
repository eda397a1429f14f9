/**
 * Checks and conversions of input values shared by every record type: bounded strings, dates,
 * partial dates of birth, month columns, countries, and the vocabularies. Each failure is a coded
 * error naming the input path, so GraphQL and REST report the same thing.
 */
import { JaringError } from '../errors.ts'
import { isRealDate } from './cursor.ts'

export function invalid(path: string, detail: string): JaringError {
  return new JaringError('VALIDATION_FAILED', { path, detail })
}

/** Longest free text (summaries, notes, report bodies), in characters. */
export const maxFreeTextLength = 100_000
/** Most entries of an input list (names, identifiers, links, aliases, filter values). */
export const maxListLength = 1_000

// NUL cannot be stored in PostgreSQL text; other control characters have no place in a one-line field.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const nulCharacter = /\u0000/
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const lineControlCharacters = /[\u0000-\u001f\u007f]/

function characterCount(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

/** A string of at most `max` characters (code points, as PostgreSQL counts them). */
export function boundedText(
  value: unknown,
  path: string,
  max: number,
  options: { multiline?: boolean; allowEmpty?: boolean } = {},
): string {
  if (typeof value !== 'string') throw invalid(path, 'Must be a string.')
  if (value.length > max && characterCount(value) > max) throw invalid(path, `At most ${max} characters.`)
  if ((options.multiline ? nulCharacter : lineControlCharacters).test(value)) {
    throw invalid(path, 'Contains a control character.')
  }
  if (!options.allowEmpty && value.trim() === '') throw invalid(path, 'Must not be empty.')
  return value
}

export function optionalText(
  value: unknown,
  path: string,
  max: number,
  options: { multiline?: boolean } = {},
): string | null {
  return value === null || value === undefined ? null : boundedText(value, path, max, options)
}

export function oneOf<T extends string>(values: readonly T[], value: unknown, path: string): T {
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw invalid(path, `Must be one of ${values.join(', ')}.`)
  }
  return value as T
}

export function boundedList<T>(value: unknown, path: string, max = maxListLength): T[] {
  if (!Array.isArray(value)) throw invalid(path, 'Must be a list.')
  if (value.length > max) throw invalid(path, `At most ${max} entries.`)
  return value as T[]
}

const countryPattern = /^[A-Z]{2}$/

export function country(value: unknown, path: string): string {
  if (typeof value !== 'string' || !countryPattern.test(value)) {
    throw invalid(path, 'Must be an ISO 3166-1 alpha-2 country code in upper case, such as TH.')
  }
  return value
}

export function optionalCountry(value: unknown, path: string): string | null {
  return value === null || value === undefined ? null : country(value, path)
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/

export function isoDate(value: unknown, path: string): string {
  if (typeof value !== 'string' || !datePattern.test(value) || !isRealDate(value)) {
    throw invalid(path, 'Must be a date YYYY-MM-DD.')
  }
  return value
}

export function optionalDate(value: unknown, path: string): string | null {
  return value === null || value === undefined ? null : isoDate(value, path)
}

/** The first day of the date's month: statistics group by the stored month. */
export function monthOf(date: string): string
export function monthOf(date: string | null): string | null
export function monthOf(date: string | null): string | null {
  return date === null ? null : `${date.slice(0, 7)}-01`
}

export type DatePrecision = 'DAY' | 'MONTH' | 'YEAR'

export interface PartialDateValue {
  date: string
  precision: DatePrecision
}

const partialDatePattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as a stored date (the first of the year or month) and a precision. */
export function parsePartialDate(value: unknown, path: string): PartialDateValue {
  const match = typeof value === 'string' ? partialDatePattern.exec(value) : null
  if (!match) throw invalid(path, 'Must be YYYY, YYYY-MM or YYYY-MM-DD.')
  const [, year, month, day] = match
  const date = `${year}-${month ?? '01'}-${day ?? '01'}`
  if (!isRealDate(date) || Number(year) < 1000) throw invalid(path, 'Must be YYYY, YYYY-MM or YYYY-MM-DD.')
  return { date, precision: day ? 'DAY' : month ? 'MONTH' : 'YEAR' }
}

/** The stored date of birth written back as precisely as it is known. */
export function formatPartialDate(date: string | null, precision: DatePrecision | null): string | null {
  if (date === null) return null
  if (precision === 'YEAR') return date.slice(0, 4)
  if (precision === 'MONTH') return date.slice(0, 7)
  return date
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10)
}

/** Rejects the same key twice in a list, naming the second occurrence. */
export function requireDistinct<T>(
  items: readonly T[],
  key: (item: T) => string,
  path: string,
  what: string,
) {
  const seen = new Set<string>()
  for (const [index, item] of items.entries()) {
    const k = key(item)
    if (seen.has(k)) throw invalid(`${path}[${index}]`, `The same ${what} is listed twice.`)
    seen.add(k)
  }
}

/** Drops exact repeats, keeping the first: they carry nothing new. */
export function distinctBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const k = key(item)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

const scriptsByPattern: [string, RegExp][] = [
  ['Thai', /\p{Script=Thai}/u],
  ['Laoo', /\p{Script=Lao}/u],
  ['Mymr', /\p{Script=Myanmar}/u],
  ['Khmr', /\p{Script=Khmer}/u],
  ['Hang', /\p{Script=Hangul}/u],
  ['Hira', /\p{Script=Hiragana}/u],
  ['Kana', /\p{Script=Katakana}/u],
  ['Hani', /\p{Script=Han}/u],
  ['Arab', /\p{Script=Arabic}/u],
  ['Cyrl', /\p{Script=Cyrillic}/u],
  ['Grek', /\p{Script=Greek}/u],
  ['Deva', /\p{Script=Devanagari}/u],
  ['Beng', /\p{Script=Bengali}/u],
  ['Taml', /\p{Script=Tamil}/u],
]

/** The ISO 15924 code of the first non-Latin script found in the name, else Latn. */
export function detectScript(name: string): string {
  for (const [code, pattern] of scriptsByPattern) if (pattern.test(name)) return code
  return 'Latn'
}

const scriptCodePattern = /^[A-Z][a-z]{3}$/

export function scriptCode(value: unknown, path: string): string {
  if (typeof value !== 'string' || !scriptCodePattern.test(value)) {
    throw invalid(path, 'Must be an ISO 15924 script code such as Latn, Thai or Hani.')
  }
  return value
}
