/**
 * Name folding for search across scripts and spellings. A name becomes a set of tokens (lower case,
 * no Latin/Greek/Cyrillic diacritics, any order); a person matches a query when every query token is
 * among the person's tokens. Pure: no I/O. Operators' description: docs/matching.md.
 */
import { JaringError } from '../errors.ts'

export const maxQueryTokens = 10
export const maxQueryTokenLength = 64
const maxQueryLength = 1000

/**
 * Diacritics are dropped only where the base letter reads the same without them (Nguyễn = Nguyen).
 * In Thai, Lao, Myanmar, Khmer and other abugidas the combining marks are the vowels and tones
 * themselves, so they stay.
 */
const diacriticsOnAlphabeticLetters = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu
/** Marks with no letter to sit on (at the start, or after a space or punctuation). */
const strayMarks = /(^|[^\p{L}\p{M}\p{N}])\p{M}+/gu

/** Letters that Unicode does not decompose into a base letter and a mark. */
const letterFolds: Record<string, string> = {
  đ: 'd',
  ð: 'd',
  ø: 'o',
  ł: 'l',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ς: 'σ',
}
const foldableLetters = new RegExp(`[${Object.keys(letterFolds).join('')}]`, 'gu')

/**
 * NFKD writes Thai SARA AM and Lao AM as NIKHAHIT + AA; both spellings occur in typed text, so they
 * are joined back into the single vowel (keeping a tone mark typed between them before it). A tone
 * mark typed before an upper vowel is put after it, the order Thai text is stored in.
 */
function canonicalThaiAndLao(text: string): string {
  return text
    .replace(/\u0E4D([\u0E48-\u0E4B]?)\u0E32/g, '$1\u0E33')
    .replace(/\u0ECD([\u0EC8-\u0ECB]?)\u0EB2/g, '$1\u0EB3')
    .replace(/([\u0E48-\u0E4B])([\u0E31\u0E34-\u0E37\u0E47])/g, '$2$1')
}

/** A name folded for comparison: compatibility forms, case and Latin-like diacritics removed, spaces collapsed. */
export function foldName(text: string): string {
  const folded = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(diacriticsOnAlphabeticLetters, '$1')
    .replace(strayMarks, '$1')
    .replace(foldableLetters, (letter) => letterFolds[letter] ?? letter)
    .normalize('NFC')
  return canonicalThaiAndLao(folded).replace(/\s+/gu, ' ').trim()
}

function tokensOf(text: string): string[] {
  return foldName(text)
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((token) => /[\p{L}\p{N}]/u.test(token))
}

function distinctSorted(tokens: string[]): string[] {
  return [...new Set(tokens)].sort()
}

/** The distinct folded tokens of all the given names (a name as written, its romanised form, ...), sorted. */
export function nameTokens(...names: (string | null | undefined)[]): string[] {
  return distinctSorted(names.flatMap((name) => (name ? tokensOf(name) : [])))
}

/**
 * The tokens of a user's name query. Throws `VALIDATION_FAILED` when the query has nothing to search
 * for, more than 10 distinct tokens or a token over 64 characters: a query that folds to nothing must
 * not match every person.
 */
export function searchTokens(query: string): string[] {
  const fail = (detail: string) => new JaringError('VALIDATION_FAILED', { detail })
  if (query.length > maxQueryLength) throw fail(`The name query is longer than ${maxQueryLength} characters.`)
  const tokens = distinctSorted(tokensOf(query))
  if (tokens.length === 0) throw fail('The name query has no letters or digits to search for.')
  if (tokens.length > maxQueryTokens) throw fail(`The name query has more than ${maxQueryTokens} words.`)
  if (tokens.some((token) => [...token].length > maxQueryTokenLength)) {
    throw fail(`A word of the name query is longer than ${maxQueryTokenLength} characters.`)
  }
  return tokens
}

/** Whether a person with `personTokens` matches a query: every query token is among them, in any order. */
export function matchesName(personTokens: readonly string[], queryTokens: readonly string[]): boolean {
  const known = new Set(personTokens)
  return queryTokens.every((token) => known.has(token))
}
