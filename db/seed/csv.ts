/**
 * CSV for PostgreSQL's `COPY ... WITH (FORMAT csv)`: an unquoted empty field is NULL, a quoted empty
 * field is the empty string, quotes are doubled inside a quoted field. Arrays travel as array
 * literals (`{"a","b"}`), which are then quoted as one CSV field.
 */

export type CsvValue = string | number | boolean | null | undefined

const needsQuotes = /[",\r\n\\]/

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'string') return String(value)
  // An empty string must be quoted to stay distinct from NULL; a backslash is quoted so that a
  // line reading `\.` can never end the data early.
  if (value === '') return '""'
  return needsQuotes.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

export function csvLine(values: readonly CsvValue[]): string {
  let line = csvField(values[0])
  for (let i = 1; i < values.length; i++) line += `,${csvField(values[i])}`
  return `${line}\n`
}

/** A PostgreSQL text-array literal with every element quoted and escaped. */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`
}
