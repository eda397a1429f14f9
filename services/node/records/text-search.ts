/**
 * Word search over free text (case titles and summaries, syndicate names and aliases) in SQL,
 * ignoring case and diacritics like the name matching does. The database's `lower()` folds ASCII
 * only under the C locale, so the folding of Latin, Greek and Cyrillic letters is done by one
 * `translate()` whose table is derived from `foldName` itself. Query words are bound parameters and
 * matched with `strpos`, never LIKE: `%` and `_` are plain characters.
 */
import { type SQL, sql } from 'drizzle-orm'
import { JaringError } from '../errors.ts'
import { foldName, searchTokens } from '../matching/names.ts'

const foldedRanges: [number, number][] = [
  [0x00c0, 0x024f], // Latin-1 Supplement, Latin Extended-A and -B
  [0x1e00, 0x1eff], // Latin Extended Additional (Vietnamese)
  [0x0370, 0x03ff], // Greek
  [0x0400, 0x04ff], // Cyrillic
]

function translateTable(): { from: string; to: string } {
  let from = ''
  let to = ''
  for (const [first, last] of foldedRanges) {
    for (let codePoint = first; codePoint <= last; codePoint++) {
      const letter = String.fromCodePoint(codePoint)
      if (!/\p{L}/u.test(letter)) continue
      const folded = foldName(letter)
      if (folded !== letter && [...folded].length === 1) {
        from += letter
        to += folded
      }
    }
  }
  return { from, to }
}

const table = translateTable()

/** The expression folded as `foldName` would fold it, letter by letter. */
export function foldedText(expression: SQL): SQL {
  return sql`translate(lower(${expression}), ${table.from}, ${table.to})`
}

/** The folded words of a search query; VALIDATION_FAILED at `path` when there is nothing to search for. */
export function queryWords(query: string, path: string): string[] {
  try {
    return searchTokens(query)
  } catch (error) {
    if (error instanceof JaringError) throw new JaringError(error.code, { path, detail: error.detail ?? '' })
    throw error
  }
}

/** Every word appears in the expression's folded text. */
export function containsAllWords(expression: SQL, words: readonly string[]): SQL {
  const folded = foldedText(expression)
  return sql`(${sql.join(
    words.map((word) => sql`strpos(${folded}, ${word}) > 0`),
    sql` AND `,
  )})`
}
