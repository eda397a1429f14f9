/**
 * Keyset pagination. A cursor is the base64url JSON of `[resource, sort value, uuid]` of the last row
 * of a page; the next page starts strictly after that position, so rows written meanwhile never
 * shift a page. Cursors are opaque to clients and validated strictly: anything that is not exactly
 * what this node issued for the same resource is INVALID_CURSOR.
 */
import { JaringError } from '../errors.ts'
import { isUuid } from './global-id.ts'

export type SortValueKind = 'date' | 'timestamp'

export interface CursorPosition {
  sortValue: string
  uuid: string
}

export interface PageArguments {
  first?: number | null
  after?: string | null
}

export interface PageInfo {
  hasNextPage: boolean
  endCursor: string | null
}

export interface Page<T> {
  nodes: T[]
  pageInfo: PageInfo
}

export const defaultPageSize = 20
export const maxCursorLength = 512

const sortValuePatterns: Record<SortValueKind, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/,
}

const base64url = /^[A-Za-z0-9_-]+$/

export function encodeCursor(resource: string, position: CursorPosition): string {
  return Buffer.from(JSON.stringify([resource, position.sortValue, position.uuid]), 'utf8').toString(
    'base64url',
  )
}

/** A calendar date that exists (2024-02-30 does not), so the database never sees a bad cast. */
export function isRealDate(text: string): boolean {
  const date = new Date(`${text.slice(0, 10)}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text.slice(0, 10)
}

export function decodeCursor(
  resource: string,
  kind: SortValueKind,
  cursor: string,
  path = 'after',
): CursorPosition {
  const fail = () => new JaringError('INVALID_CURSOR', { path })
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > maxCursorLength) throw fail()
  if (!base64url.test(cursor)) throw fail()
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw fail()
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw fail()
  const [tag, sortValue, uuid] = decoded as unknown[]
  if (tag !== resource || typeof sortValue !== 'string' || typeof uuid !== 'string') throw fail()
  if (!sortValuePatterns[kind].test(sortValue) || !isRealDate(sortValue) || !isUuid(uuid)) throw fail()
  if (kind === 'timestamp' && !validClock(sortValue.slice(11))) throw fail()
  // Only the canonical encoding is accepted: a cursor is exactly what this node issued.
  if (encodeCursor(resource, { sortValue, uuid }) !== cursor) throw fail()
  return { sortValue, uuid: uuid.toLowerCase() }
}

function validClock(clock: string): boolean {
  const [hours, minutes, seconds] = clock.split(':').map(Number)
  return (hours ?? 99) < 24 && (minutes ?? 99) < 60 && (seconds ?? 99) < 60
}

/** The page size asked for: 1 to `maxPageSize`, else PAGE_TOO_LARGE (or VALIDATION_FAILED below 1). */
export function pageSize(first: number | null | undefined, maxPageSize: number, path = 'first'): number {
  if (first === undefined || first === null) return Math.min(defaultPageSize, maxPageSize)
  if (!Number.isInteger(first) || first < 1) {
    throw new JaringError('VALIDATION_FAILED', { path, detail: 'The page size must be at least 1.' })
  }
  if (first > maxPageSize) {
    throw new JaringError('PAGE_TOO_LARGE', { path, detail: `At most ${maxPageSize} records per page.` })
  }
  return first
}

/** Cuts the one extra row fetched to learn whether another page follows. */
export function toPage<Row, T>(
  rows: Row[],
  size: number,
  resource: string,
  position: (row: Row) => CursorPosition,
  toRecord: (row: Row) => T,
): Page<T> {
  const hasNextPage = rows.length > size
  const pageRows = hasNextPage ? rows.slice(0, size) : rows
  const last = pageRows.at(-1)
  return {
    nodes: pageRows.map(toRecord),
    pageInfo: { hasNextPage, endCursor: last ? encodeCursor(resource, position(last)) : null },
  }
}
