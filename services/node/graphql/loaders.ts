/**
 * Nested fields served through mercurius loaders: every parent on a level is collected and loaded
 * with one repository call, so a page of 100 cases with their persons and identifiers costs the
 * same few statements as a page of one.
 */
import type { MercuriusLoaders } from 'mercurius'
import type { RecordAccess, RecordRepositories } from '../records/index.ts'
import type { JaringContext } from './context.ts'

type BatchLoad<Value> = (
  records: RecordRepositories,
  access: RecordAccess,
  uuids: readonly string[],
) => Promise<Map<string, Value>>

/** A loader answering each parent (a record with a `uuid`) from one batched repository call. */
function batched<Value, Answer>(load: BatchLoad<Value>, answer: (value: Value | undefined) => Answer) {
  return async (queries: { obj: { uuid: string } }[], context: JaringContext) => {
    const values = await load(
      context.records,
      context.access,
      queries.map((query) => query.obj.uuid),
    )
    return queries.map((query) => answer(values.get(query.obj.uuid)))
  }
}

const list = <T>(values: T[] | undefined): T[] => values ?? []

export const loaders = {
  Case: {
    persons: batched((records, access, ids) => records.cases.persons(access, ids), list),
    syndicates: batched((records, access, ids) => records.cases.syndicates(access, ids), list),
    intelReports: batched((records, access, ids) => records.cases.intelReports(access, ids), list),
  },
  Person: {
    names: batched((records, access, ids) => records.persons.names(access, ids), list),
    primaryName: batched(
      (records, access, ids) => records.persons.names(access, ids),
      (names) => names?.find((name) => name.kind === 'PRIMARY') ?? null,
    ),
    identifiers: batched((records, access, ids) => records.persons.identifiers(access, ids), list),
    cases: batched((records, access, ids) => records.persons.cases(access, ids), list),
    syndicates: batched((records, access, ids) => records.persons.syndicates(access, ids), list),
    intelReports: batched((records, access, ids) => records.persons.intelReports(access, ids), list),
  },
  Syndicate: {
    members: batched((records, access, ids) => records.syndicates.members(access, ids), list),
    cases: batched((records, access, ids) => records.syndicates.cases(access, ids), list),
    intelReports: batched((records, access, ids) => records.syndicates.intelReports(access, ids), list),
  },
  IntelReport: {
    subjects: batched((records, access, ids) => records.intelReports.subjects(access, ids), list),
  },
} satisfies Record<string, Record<string, unknown>>

export const graphqlLoaders = loaders as unknown as MercuriusLoaders
