/**
 * Global record ids: `<AGENCY>:<uuid>`, the owning agency's code, a colon and the record's UUID.
 * Parsed strictly, because the UUID goes into SQL as a typed parameter and a malformed one must be
 * refused as the client's fault (INVALID_GLOBAL_ID), never reach the database.
 */
import { agencyCodePattern } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'
import type { RecordAccess } from './access.ts'

export interface GlobalId {
  agency: string
  /** Lower case, as the database writes it. */
  uuid: string
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const maxGlobalIdLength = 64

export function isUuid(value: string): boolean {
  return uuidPattern.test(value)
}

export function formatGlobalId(agency: string, uuid: string): string {
  return `${agency}:${uuid}`
}

export function parseGlobalId(id: unknown, path?: string): GlobalId {
  const fail = () =>
    new JaringError('INVALID_GLOBAL_ID', { ...(path ? { path } : {}), detail: 'Expected AGENCY:uuid.' })
  if (typeof id !== 'string' || id.length > maxGlobalIdLength) throw fail()
  const colon = id.indexOf(':')
  if (colon < 0) throw fail()
  const agency = id.slice(0, colon)
  const uuid = id.slice(colon + 1)
  if (!agencyCodePattern.test(agency) || !uuidPattern.test(uuid)) throw fail()
  return { agency, uuid: uuid.toLowerCase() }
}

/**
 * The UUID of a record this node owns, for writes: a well-formed id of another agency is
 * FOREIGN_RECORD (a node stores only its own agency's records).
 */
export function ownRecordUuid(access: Pick<RecordAccess, 'agency'>, id: unknown, path?: string): string {
  const parsed = parseGlobalId(id, path)
  if (parsed.agency !== access.agency) {
    throw new JaringError('FOREIGN_RECORD', {
      ...(path ? { path } : {}),
      detail: `The record belongs to ${parsed.agency}, this node to ${access.agency}.`,
    })
  }
  return parsed.uuid
}
