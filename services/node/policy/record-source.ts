/**
 * Loads one stored record, with what the policy's row filters read of it (a person's case links)
 * and its parts that have rules of their own (a person's names and identifiers), for `explain`.
 * Reads go through the records repositories with the access it is given: the operator's view
 * (every row, every field) for the CLI and the admin query.
 */
import type { RecordType } from '../../../schema/vocabulary.ts'
import type { Principal } from '../auth/principal.ts'
import type { RecordAccess, RecordRepositories } from '../records/index.ts'
import type { ExplainRecord } from './explain.ts'
import type { PolicyResource } from './resources.ts'

const resourceOfType: Record<RecordType, PolicyResource> = {
  CASE: 'cases',
  PERSON: 'persons',
  SYNDICATE: 'syndicates',
  INTEL_REPORT: 'intelReports',
}

/** The operator's view, to read a record whole: `explain` then applies the policy to it. */
export function explainReader(agency: string): Principal {
  return {
    kind: 'system',
    agency,
    subject: 'policy explain',
    roles: [],
    scopes: new Set(['cases:read', 'persons:read', 'syndicates:read', 'intel:read']),
    clearance: 'RED',
    tokenId: 'policy-explain',
  }
}

/** The record for `explain`, or null when this node holds no record with that global id. */
export async function loadExplainRecord(
  records: RecordRepositories,
  access: RecordAccess,
  id: string,
): Promise<ExplainRecord | null> {
  const record = await records.record(access, id)
  if (!record) return null
  const resource = resourceOfType[record.type]
  if (record.type !== 'PERSON') return { resource, row: { ...record } }
  const [links, names, identifiers] = await Promise.all([
    records.persons.cases(access, [record.uuid]),
    records.persons.names(access, [record.uuid]),
    records.persons.identifiers(access, [record.uuid]),
  ])
  return {
    resource,
    row: { ...record, names: names.get(record.uuid) ?? [] },
    caseLinks: (links.get(record.uuid) ?? []).map((link) => ({
      role: link.role,
      crimeCategory: link.case.crimeCategory,
    })),
    identifiers: (identifiers.get(record.uuid) ?? []).map((identifier) => ({ ...identifier })),
  }
}
