/**
 * Database rows to records, and the lookups of linked records shared by the repositories.
 */
import { and, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../../db/open.ts'
import { cases, intelReports, persons, syndicates } from '../../../db/schema/records.ts'
import type { RecordType } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'
import {
  caseVisibility,
  intelReportVisibility,
  personVisibility,
  type RecordAccess,
  syndicateVisibility,
} from './access.ts'
import { ownRecordUuid } from './global-id.ts'
import type { CaseRecord, IntelReportRecord, PersonRecord, SyndicateRecord } from './types.ts'
import { formatPartialDate } from './values.ts'

export type CaseRow = typeof cases.$inferSelect
export type PersonRow = typeof persons.$inferSelect
export type SyndicateRow = typeof syndicates.$inferSelect
export type IntelReportRow = typeof intelReports.$inferSelect

function base(row: CaseRow | PersonRow | SyndicateRow | IntelReportRow) {
  return {
    id: row.globalId,
    uuid: row.id,
    agency: row.agency,
    externalRef: row.externalRef,
    tlp: row.tlp,
    handlingCode: row.handlingCode,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  }
}

export function toCaseRecord(row: CaseRow): CaseRecord {
  return {
    type: 'CASE',
    ...base(row),
    title: row.title,
    summary: row.summary,
    crimeCategory: row.crimeCategory,
    status: row.status,
    country: row.country,
    location: row.location,
    openedOn: row.openedOn,
    closedOn: row.closedOn,
  }
}

export function toPersonRecord(row: PersonRow): PersonRecord {
  return {
    type: 'PERSON',
    ...base(row),
    dateOfBirth: formatPartialDate(row.dateOfBirth, row.dateOfBirthPrecision),
    dateOfBirthPrecision: row.dateOfBirthPrecision,
    dateOfBirthApproximate: row.dateOfBirthApproximate,
    nationality: row.nationality,
    gender: row.gender,
    status: row.status,
    lastKnownCountry: row.lastKnownCountry,
    statusChangedOn: row.statusChangedOn,
    notes: row.notes,
  }
}

export function toSyndicateRecord(row: SyndicateRow): SyndicateRecord {
  return {
    type: 'SYNDICATE',
    ...base(row),
    name: row.name,
    aliases: row.aliases,
    status: row.status,
    countries: row.countries,
    description: row.description,
    crimeCategory: row.crimeCategory,
  }
}

export function toIntelReportRecord(row: IntelReportRow): IntelReportRecord {
  return {
    type: 'INTEL_REPORT',
    ...base(row),
    title: row.title,
    body: row.body,
    sourceGrading: row.sourceGrading,
    informationGrading: row.informationGrading,
    crimeCategory: row.crimeCategory,
    reportedOn: row.reportedOn,
  }
}

export const caseColumns = getTableColumns(cases)
export const personColumns = getTableColumns(persons)
export const syndicateColumns = getTableColumns(syndicates)
export const intelReportColumns = getTableColumns(intelReports)

/** The record types a global id may name, with their tables and visibility. */
const linkable = {
  CASE: { table: cases, visibility: caseVisibility, label: 'case' },
  PERSON: { table: persons, visibility: personVisibility, label: 'person' },
  SYNDICATE: { table: syndicates, visibility: syndicateVisibility, label: 'syndicate' },
  INTEL_REPORT: { table: intelReports, visibility: intelReportVisibility, label: 'intelligence report' },
} as const

/**
 * Resolves global ids that a write links to: each must be this agency's (FOREIGN_RECORD), exist
 * and be visible to the writer (NOT_FOUND, path naming the entry). Returns the UUIDs in input order.
 */
export async function resolveLinkedIds(
  db: Database,
  access: RecordAccess,
  type: Exclude<RecordType, 'INTEL_REPORT'>,
  ids: readonly string[],
  path: (index: number) => string,
): Promise<string[]> {
  const uuids = ids.map((id, index) => ownRecordUuid(access, id, path(index)))
  if (uuids.length === 0) return []
  const { table, visibility, label } = linkable[type]
  const found = await db
    .select({ id: table.id })
    .from(table)
    .where(and(inArray(table.id, [...new Set(uuids)]), visibility(access)))
  const known = new Set(found.map((row) => row.id))
  const missing = uuids.findIndex((uuid) => !known.has(uuid))
  if (missing >= 0) {
    throw new JaringError('NOT_FOUND', { path: path(missing), detail: `No such ${label} of this agency.` })
  }
  return uuids
}

/**
 * The type of each of the given records (cases, persons or syndicates) the reader may see, in one
 * statement. Used where an id may name any of them (intelligence report subjects).
 */
export async function typesOfRecords(
  db: Database,
  access: RecordAccess,
  uuids: readonly string[],
  types: readonly RecordType[] = ['CASE', 'PERSON', 'SYNDICATE', 'INTEL_REPORT'],
): Promise<Map<string, RecordType>> {
  if (uuids.length === 0 || types.length === 0) return new Map()
  const distinct = [...new Set(uuids)]
  const parts: SQL[] = types.map((type) => {
    const { table, visibility } = linkable[type]
    return sql`SELECT ${table.id} AS id, ${type}::text AS type FROM ${table} WHERE ${inArray(table.id, distinct)} AND ${visibility(access)}`
  })
  const result = (await db.execute<{ id: string; type: RecordType }>(
    sql.join(parts, sql` UNION ALL `),
  )) as unknown as {
    rows: { id: string; type: RecordType }[]
  }
  return new Map(result.rows.map((row) => [row.id, row.type]))
}

export function byId<T extends { uuid: string }>(records: readonly T[]): Map<string, T> {
  return new Map(records.map((record) => [record.uuid, record]))
}

/** Groups rows by a key, keeping their order. */
export function groupBy<Row, Key, Value>(
  rows: readonly Row[],
  key: (row: Row) => Key,
  value: (row: Row) => Value,
): Map<Key, Value[]> {
  const groups = new Map<Key, Value[]>()
  for (const row of rows) {
    const k = key(row)
    const list = groups.get(k)
    if (list) list.push(value(row))
    else groups.set(k, [value(row)])
  }
  return groups
}
