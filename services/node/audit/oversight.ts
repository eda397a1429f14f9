/**
 * Oversight: the audit rows an `audit:read` principal may page through, newest first, by request
 * id, subject, agency, record, direction, outcome and time. GraphQL (`auditEvents`) and REST
 * (`GET /api/v1/audit/events`) both answer through here.
 */
import type { AuditQuery, StoredAuditRow } from '../../../db/audit-log.ts'
import type { AuditDirection, AuditOutcome } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'
import { maxCursorLength, pageSize } from '../records/cursor.ts'

export interface AuditEventFilter {
  requestId?: string | null
  subject?: string | null
  agency?: string | null
  recordId?: string | null
  direction?: AuditDirection | null
  outcome?: AuditOutcome | null
  /** RFC 3339. */
  from?: string | null
  to?: string | null
}

export interface AuditEventArguments {
  filter?: AuditEventFilter | null
  first?: number | null
  after?: string | null
}

const cursorTag = 'audit'

export function encodeAuditCursor(seq: number): string {
  return Buffer.from(JSON.stringify([cursorTag, seq])).toString('base64url')
}

export function decodeAuditCursor(cursor: string, path = 'after'): number {
  const invalid = new JaringError('INVALID_CURSOR', { path })
  if (cursor.length > maxCursorLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalid
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== cursorTag) throw invalid
  const seq = decoded[1]
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw invalid
  return seq
}

function time(value: string | null | undefined, path: string): Date | undefined {
  if (value === undefined || value === null) return undefined
  const parsed = new Date(value)
  if (Number.isNaN(parsed.getTime())) {
    throw new JaringError('VALIDATION_FAILED', { path, detail: 'Must be an RFC 3339 date-time.' })
  }
  return parsed
}

const given = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value)

/** The repository query for the arguments, one row more than the page to learn if more follow. */
/** `filterPath` prefixes the paths of errors in the filter: `filter` in GraphQL, nothing for REST parameters. */
export function auditQueryOf(
  args: AuditEventArguments,
  maxPageSize: number,
  filterPath = 'filter',
): AuditQuery {
  const filter = args.filter ?? {}
  const limit = pageSize(args.first, maxPageSize)
  const query: AuditQuery = { limit: limit + 1 }
  const fields = {
    requestId: given(filter.requestId),
    subject: given(filter.subject),
    agency: given(filter.agency),
    recordId: given(filter.recordId),
    direction: given(filter.direction),
    outcome: given(filter.outcome),
    from: time(filter.from, filterPath ? `${filterPath}.from` : 'from'),
    to: time(filter.to, filterPath ? `${filterPath}.to` : 'to'),
    beforeSeq: args.after ? decodeAuditCursor(args.after) : undefined,
  }
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) (query as unknown as Record<string, unknown>)[name] = value
  }
  return query
}

/** A stored row as the API shows it: the principal as one object, none when there was no token. */
export function presentAuditRow(row: StoredAuditRow) {
  const { principalKind, principalAgency, principalSubject, principalRoles, ...rest } = row
  return {
    ...rest,
    principal:
      principalKind && principalAgency && principalSubject
        ? { kind: principalKind, agency: principalAgency, subject: principalSubject, roles: principalRoles }
        : null,
  }
}

export function auditPage(rows: readonly StoredAuditRow[], query: AuditQuery) {
  const pageRows = rows.slice(0, query.limit - 1)
  const last = pageRows.at(-1)
  return {
    nodes: pageRows.map(presentAuditRow),
    pageInfo: {
      hasNextPage: rows.length > pageRows.length,
      endCursor: last ? encodeAuditCursor(last.seq) : null,
    },
  }
}
