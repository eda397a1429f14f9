/**
 * The four record resources of the REST API, as data: path, scopes, schemas, the repositories
 * behind them, and how a page of records becomes JSON. The routes (routes.ts) are built from this
 * table, so every resource gets the same four operations with the same checks.
 */
import type { TSchema } from 'typebox'
import type { Scope } from '../auth/scopes.ts'
import type { Page } from '../records/cursor.ts'
import type { RecordAccess, RecordRepositories } from '../records/index.ts'
import type {
  AnyRecord,
  CaseRecord,
  IntelReportRecord,
  IntelSubject,
  PersonRecord,
  SyndicateRecord,
} from '../records/types.ts'
import {
  CaseConnectionSchema,
  CaseListQuery,
  CaseSchema,
  CreateCaseInput,
  CreateIntelReportInput,
  CreatePersonInput,
  CreateSyndicateInput,
  IntelReportConnectionSchema,
  IntelReportListQuery,
  IntelReportSchema,
  PersonConnectionSchema,
  PersonListQuery,
  PersonSchema,
  SyndicateConnectionSchema,
  SyndicateListQuery,
  SyndicateSchema,
  UpdateCaseBody,
  UpdateIntelReportBody,
  UpdatePersonBody,
  UpdateSyndicateBody,
} from './schemas.ts'

type Json = Record<string, unknown>
type ListArgs = { filter: Json; first?: number; after?: string }

/** One resource's operations on the repositories (bound to the database or to a transaction). */
export interface Repository {
  list(access: RecordAccess, args: ListArgs): Promise<Page<AnyRecord>>
  get(access: RecordAccess, id: string): Promise<AnyRecord | null>
  create(access: RecordAccess, input: Json): Promise<AnyRecord>
  update(access: RecordAccess, input: Json): Promise<AnyRecord>
}

export interface Resource {
  /** The path segment under /api/v1. */
  path: 'cases' | 'persons' | 'syndicates' | 'intel-reports'
  /** The GraphQL type and list field it mirrors. */
  typeName: 'Case' | 'Person' | 'Syndicate' | 'IntelReport'
  listField: 'cases' | 'persons' | 'syndicates' | 'intelReports'
  /** The words used in operation summaries. */
  singular: string
  plural: string
  readScope: Scope
  writeScope: Scope
  schemas: {
    listQuery: TSchema
    connection: TSchema
    record: TSchema
    create: TSchema
    update: TSchema
  }
  repository(records: RecordRepositories): Repository
  /** The list query's parameters as the repository's filter (the query string is flat). */
  filterOf(parameters: Json): Json
  /** Where a repository's filter path (`filter.identifier.value`) sits in the query string. */
  parameterOf(path: string): string
  /** The records of one page as JSON, their links loaded in one call per kind of link. */
  present(records: RecordRepositories, access: RecordAccess, page: AnyRecord[]): Promise<Json[]>
}

const base = (record: AnyRecord) => {
  const { type: _type, uuid: _uuid, agency, ...fields } = record
  return { ...fields, source: { agency } }
}

const uuids = (page: readonly { uuid: string }[]) => page.map((record) => record.uuid)
const reference = (record: { id: string }) => ({ id: record.id })

const flatFilter = (parameters: Json) => parameters
const filterParameter = (path: string) => path.replace(/^filter\./, '')

function asRepository(repository: {
  list(access: RecordAccess, args: never): Promise<Page<AnyRecord>>
  get(access: RecordAccess, id: string): Promise<AnyRecord | null>
  create(access: RecordAccess, input: never): Promise<AnyRecord>
  update(access: RecordAccess, input: never): Promise<AnyRecord>
}): Repository {
  return repository as unknown as Repository
}

const subjectKind: Record<IntelSubject['type'], 'CASE' | 'PERSON' | 'SYNDICATE'> = {
  CASE: 'CASE',
  PERSON: 'PERSON',
  SYNDICATE: 'SYNDICATE',
}

export const resources: readonly Resource[] = [
  {
    path: 'cases',
    typeName: 'Case',
    listField: 'cases',
    singular: 'case',
    plural: 'cases',
    readScope: 'cases:read',
    writeScope: 'cases:write',
    schemas: {
      listQuery: CaseListQuery,
      connection: CaseConnectionSchema,
      record: CaseSchema,
      create: CreateCaseInput,
      update: UpdateCaseBody,
    },
    repository: (records) => asRepository(records.cases),
    filterOf: flatFilter,
    parameterOf: filterParameter,
    async present(records, access, page) {
      const persons = await records.cases.persons(access, uuids(page))
      return (page as CaseRecord[]).map((record) => ({
        ...base(record),
        persons: (persons.get(record.uuid) ?? []).map((link) => ({
          role: link.role,
          person: reference(link.person),
        })),
      }))
    },
  },
  {
    path: 'persons',
    typeName: 'Person',
    listField: 'persons',
    singular: 'person',
    plural: 'persons',
    readScope: 'persons:read',
    writeScope: 'persons:write',
    schemas: {
      listQuery: PersonListQuery,
      connection: PersonConnectionSchema,
      record: PersonSchema,
      create: CreatePersonInput,
      update: UpdatePersonBody,
    },
    repository: (records) => asRepository(records.persons),
    filterOf({ identifierKind, identifierValue, ...rest }) {
      if (identifierKind === undefined && identifierValue === undefined) return rest
      return { ...rest, identifier: { kind: identifierKind, value: identifierValue } }
    },
    parameterOf: (path) =>
      path === 'filter.identifier.kind'
        ? 'identifierKind'
        : path === 'filter.identifier.value' || path === 'filter.identifier'
          ? 'identifierValue'
          : filterParameter(path),
    async present(records, access, page) {
      const ids = uuids(page)
      const [names, identifiers] = await Promise.all([
        records.persons.names(access, ids),
        records.persons.identifiers(access, ids),
      ])
      return (page as PersonRecord[]).map((record) => {
        const own = names.get(record.uuid) ?? []
        return {
          ...base(record),
          names: own,
          primaryName: own.find((name) => name.kind === 'PRIMARY') ?? null,
          identifiers: identifiers.get(record.uuid) ?? [],
        }
      })
    },
  },
  {
    path: 'syndicates',
    typeName: 'Syndicate',
    listField: 'syndicates',
    singular: 'syndicate',
    plural: 'syndicates',
    readScope: 'syndicates:read',
    writeScope: 'syndicates:write',
    schemas: {
      listQuery: SyndicateListQuery,
      connection: SyndicateConnectionSchema,
      record: SyndicateSchema,
      create: CreateSyndicateInput,
      update: UpdateSyndicateBody,
    },
    repository: (records) => asRepository(records.syndicates),
    filterOf: flatFilter,
    parameterOf: filterParameter,
    async present(records, access, page) {
      const ids = uuids(page)
      const [members, cases] = await Promise.all([
        records.syndicates.members(access, ids),
        records.syndicates.cases(access, ids),
      ])
      return (page as SyndicateRecord[]).map((record) => ({
        ...base(record),
        members: (members.get(record.uuid) ?? []).map((link) => ({
          role: link.role,
          person: reference(link.person),
        })),
        cases: (cases.get(record.uuid) ?? []).map(reference),
      }))
    },
  },
  {
    path: 'intel-reports',
    typeName: 'IntelReport',
    listField: 'intelReports',
    singular: 'intelligence report',
    plural: 'intelligence reports',
    readScope: 'intel:read',
    writeScope: 'intel:write',
    schemas: {
      listQuery: IntelReportListQuery,
      connection: IntelReportConnectionSchema,
      record: IntelReportSchema,
      create: CreateIntelReportInput,
      update: UpdateIntelReportBody,
    },
    repository: (records) => asRepository(records.intelReports),
    filterOf: flatFilter,
    parameterOf: filterParameter,
    async present(records, access, page) {
      const subjects = await records.intelReports.subjects(access, uuids(page))
      return (page as IntelReportRecord[]).map((record) => ({
        ...base(record),
        subjects: (subjects.get(record.uuid) ?? []).map((subject) => ({
          kind: subjectKind[subject.type],
          id: subject.id,
        })),
      }))
    },
  },
]
