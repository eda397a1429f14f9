/**
 * One record of any type by its global id, for `record(id)`: the type is found in one statement
 * across the tables, then the record is read by its repository.
 */
import type { Database } from '../../../db/open.ts'
import type { RecordType } from '../../../schema/vocabulary.ts'
import type { RecordAccess } from './access.ts'
import { casesByIds } from './cases.ts'
import { parseGlobalId } from './global-id.ts'
import { intelReportsByIds } from './intel-reports.ts'
import { personsByIds } from './persons.ts'
import { typesOfRecords } from './rows.ts'
import { syndicatesByIds } from './syndicates.ts'
import type { AnyRecord } from './types.ts'

const loaders: Record<
  RecordType,
  (db: Database, access: RecordAccess, uuids: readonly string[]) => Promise<Map<string, AnyRecord>>
> = {
  CASE: casesByIds,
  PERSON: personsByIds,
  SYNDICATE: syndicatesByIds,
  INTEL_REPORT: intelReportsByIds,
}

/**
 * The record the global id names, when the reader may see it; null when it does not exist, is not
 * visible, or belongs to another agency (federation fetches those from their owner). A malformed id
 * is INVALID_GLOBAL_ID.
 */
export async function findRecord(db: Database, access: RecordAccess, id: string): Promise<AnyRecord | null> {
  const { agency, uuid } = parseGlobalId(id, 'id')
  if (agency !== access.agency) return null
  const type = (await typesOfRecords(db, access, [uuid], [...access.readable])).get(uuid)
  if (!type) return null
  return (await loaders[type](db, access, [uuid])).get(uuid) ?? null
}
