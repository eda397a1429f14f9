/**
 * Field rules on the way out: every record a repository returns passes through here, so what the
 * reader's decision withholds (omitted, masked, generalised) is replaced before any resolver or
 * route handler sees the record, and can never reach the response bytes.
 */
import { applyFieldRules } from '../policy/fields.ts'
import type { PolicyResource } from '../policy/resources.ts'
import type { RecordAccess } from './access.ts'
import type { AnyRecord, Identifier } from './types.ts'

const resourceOfType: Record<AnyRecord['type'], PolicyResource> = {
  CASE: 'cases',
  PERSON: 'persons',
  SYNDICATE: 'syndicates',
  INTEL_REPORT: 'intelReports',
}

export function releaseRecord<T extends AnyRecord>(access: RecordAccess, record: T): T {
  access.disclosed?.add(record.id)
  return applyFieldRules(resourceOfType[record.type], record as T & Record<string, unknown>, access.decision)
    .value
}

export function releaseIdentifier(access: RecordAccess, identifier: Identifier): Identifier {
  return applyFieldRules('identifiers', identifier as Identifier & Record<string, unknown>, access.decision)
    .value
}

export function releaseOptional<T extends AnyRecord>(access: RecordAccess, record: T | null): T | null {
  return record && releaseRecord(access, record)
}

export function releasePage<T extends AnyRecord, Page extends { nodes: T[] }>(
  access: RecordAccess,
  page: Page,
): Page {
  return { ...page, nodes: page.nodes.map((record) => releaseRecord(access, record)) }
}

export function releaseMap<K, T>(map: Map<K, T>, release: (value: T) => T): Map<K, T> {
  return new Map([...map].map(([key, value]) => [key, release(value)]))
}

export function releaseLists<K, T>(map: Map<K, T[]>, release: (value: T) => T): Map<K, T[]> {
  return new Map([...map].map(([key, values]) => [key, values.map(release)]))
}

/** A link (a role with its case, person or syndicate): the linked record is released. */
export function releaseLink<Key extends string, T extends AnyRecord, Link extends { [K in Key]: T }>(
  access: RecordAccess,
  key: Key,
): (link: Link) => Link {
  return (link) => ({ ...link, [key]: releaseRecord(access, link[key]) })
}
