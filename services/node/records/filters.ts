/**
 * Filter values shared by the list queries. A list filter matches any of its values; an empty list
 * is the same as leaving the filter out. Every value is checked before it becomes a bound parameter.
 */
import { boundedList } from './values.ts'

export const maxFilterValues = 300

export function filterList<T>(
  values: readonly unknown[] | null | undefined,
  path: string,
  check: (value: unknown, path: string) => T,
): T[] | undefined {
  if (values === null || values === undefined) return undefined
  const list = boundedList<unknown>(values, path, maxFilterValues)
  if (list.length === 0) return undefined
  return [...new Set(list.map((value, index) => check(value, `${path}[${index}]`)))]
}
