/**
 * The records plugin: decorates `app.records`, the repositories bound to the node's database. Every
 * read and write of cases, persons, syndicates and intelligence reports, by GraphQL and REST alike,
 * goes through them, each with the reader's `RecordAccess`.
 */
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../../../db/open.ts'
import type { Principal } from '../auth/principal.ts'
import { JaringError } from '../errors.ts'
import { denyAllPolicy } from '../policy/compile.ts'
import { refuseFiltersOnWithheldFields } from '../policy/filters.ts'
import { type NodeIdentity, noAccess, type PolicySource, type RecordAccess, recordAccess } from './access.ts'
import {
  casesByIds,
  casesOfPersons,
  createCase,
  getCase,
  listCases,
  personsOfCases,
  updateCase,
  upsertCaseByExternalRef,
} from './cases.ts'
import {
  createIntelReport,
  getIntelReport,
  intelReportsAbout,
  intelReportsByIds,
  listIntelReports,
  subjectsOfReports,
  updateIntelReport,
  upsertIntelReportByExternalRef,
} from './intel-reports.ts'
import { findRecord } from './lookup.ts'
import {
  createPerson,
  getPerson,
  identifiersOfPersons,
  listPersons,
  namesOfPersons,
  type PreparedPerson,
  personsByIds,
  preparePerson,
  updatePerson,
  upsertPersonByExternalRef,
  upsertPreparedPersons,
} from './persons.ts'
import {
  releaseIdentifier,
  releaseLink,
  releaseLists,
  releaseMap,
  releaseOptional,
  releasePage,
  releaseRecord,
} from './release.ts'
import {
  casesOfSyndicates,
  createSyndicate,
  getSyndicate,
  listSyndicates,
  membersOfSyndicates,
  syndicatesByIds,
  syndicatesOfCases,
  syndicatesOfPersons,
  updateSyndicate,
  upsertSyndicateByExternalRef,
} from './syndicates.ts'
import type {
  AnyRecord,
  CaseFilter,
  CreateCaseInput,
  CreateIntelReportInput,
  CreatePersonInput,
  CreateSyndicateInput,
  IntelReportFilter,
  ListArguments,
  PersonFilter,
  PersonName,
  SyndicateFilter,
  UpdateCaseInput,
  UpdateIntelReportInput,
  UpdatePersonInput,
  UpdateSyndicateInput,
  UpsertResult,
} from './types.ts'

export type { PolicySource, RecordAccess } from './access.ts'

export interface RecordSettings extends NodeIdentity {
  /** The largest page a list returns (config `graphql.maxPageSize`). */
  maxPageSize: number
  /** The policy in force and the federation's roles; without them only the home rule shares anything. */
  policySource?: PolicySource
}

type Ids = readonly string[]

/** Without a policy, the node's own principals still get the home rule; nobody else gets anything. */
function policySourceOf(settings: RecordSettings): PolicySource {
  if (settings.policySource) return settings.policySource
  const policy = denyAllPolicy(settings.agency)
  return { policy: () => policy, trustRoles: () => ({}) }
}

/**
 * Every read goes through the visibility functions (row filters in SQL) and every record out
 * through `release` (field rules), so GraphQL and REST alike serve only what the decision allows.
 */
function boundRepositories(db: Database, settings: RecordSettings) {
  const { maxPageSize } = settings
  const policySource = policySourceOf(settings)
  const one =
    (access: RecordAccess) =>
    <T extends AnyRecord>(record: T): T =>
      releaseRecord(access, record)
  const upserted = async <T extends AnyRecord>(access: RecordAccess, result: Promise<UpsertResult<T>>) => {
    const { record, outcome } = await result
    return { record: releaseRecord(access, record), outcome }
  }
  return {
    /** What a principal may see at this node; `disclosed` collects the ids of the records released. */
    access: (principal: Principal | undefined, disclosed?: Set<string>): RecordAccess =>
      principal ? recordAccess(settings, principal, policySource, new Date(), disclosed) : noAccess(settings),
    cases: {
      list: async (access: RecordAccess, args: ListArguments<CaseFilter>) => {
        refuseFiltersOnWithheldFields(access.decision, 'cases', args.filter as Record<string, unknown>)
        return releasePage(access, await listCases(db, access, args, maxPageSize))
      },
      get: async (access: RecordAccess, id: string) => releaseOptional(access, await getCase(db, access, id)),
      byIds: async (access: RecordAccess, uuids: Ids) =>
        releaseMap(await casesByIds(db, access, uuids), one(access)),
      persons: async (access: RecordAccess, caseUuids: Ids) =>
        releaseLists(await personsOfCases(db, access, caseUuids), releaseLink(access, 'person')),
      syndicates: async (access: RecordAccess, caseUuids: Ids) =>
        releaseLists(await syndicatesOfCases(db, access, caseUuids), one(access)),
      intelReports: async (access: RecordAccess, caseUuids: Ids) =>
        releaseLists(await intelReportsAbout(db, access, 'CASE', caseUuids), one(access)),
      create: async (access: RecordAccess, input: CreateCaseInput) =>
        releaseRecord(access, await createCase(db, access, input)),
      update: async (access: RecordAccess, input: UpdateCaseInput) =>
        releaseRecord(access, await updateCase(db, access, input)),
      upsertByExternalRef: (access: RecordAccess, input: CreateCaseInput) =>
        upserted(access, upsertCaseByExternalRef(db, access, input)),
    },
    persons: {
      list: async (access: RecordAccess, args: ListArguments<PersonFilter>) => {
        refuseFiltersOnWithheldFields(access.decision, 'persons', args.filter as Record<string, unknown>)
        return releasePage(access, await listPersons(db, access, args, maxPageSize))
      },
      get: async (access: RecordAccess, id: string) =>
        releaseOptional(access, await getPerson(db, access, id)),
      byIds: async (access: RecordAccess, uuids: Ids) =>
        releaseMap(await personsByIds(db, access, uuids), one(access)),
      /** Names are a field of the person: withheld, they are not even read. */
      names: async (access: RecordAccess, personUuids: Ids) =>
        access.decision.resources.persons.fields.names?.rule === 'allow'
          ? namesOfPersons(db, personUuids)
          : new Map<string, PersonName[]>(),
      identifiers: async (access: RecordAccess, personUuids: Ids) =>
        releaseLists(await identifiersOfPersons(db, access, personUuids), (identifier) =>
          releaseIdentifier(access, identifier),
        ),
      cases: async (access: RecordAccess, personUuids: Ids) =>
        releaseLists(await casesOfPersons(db, access, personUuids), releaseLink(access, 'case')),
      syndicates: async (access: RecordAccess, personUuids: Ids) =>
        releaseLists(await syndicatesOfPersons(db, access, personUuids), releaseLink(access, 'syndicate')),
      intelReports: async (access: RecordAccess, personUuids: Ids) =>
        releaseLists(await intelReportsAbout(db, access, 'PERSON', personUuids), one(access)),
      create: async (access: RecordAccess, input: CreatePersonInput) =>
        releaseRecord(access, await createPerson(db, access, input)),
      update: async (access: RecordAccess, input: UpdatePersonInput) =>
        releaseRecord(access, await updatePerson(db, access, input)),
      upsertByExternalRef: (access: RecordAccess, input: CreatePersonInput) =>
        upserted(access, upsertPersonByExternalRef(db, access, input)),
      /** Checks an input for `upsertPrepared` (the import checks each line as it reads it). */
      prepare: (access: RecordAccess, input: CreatePersonInput): PreparedPerson =>
        preparePerson(access, input),
      /** `upsertByExternalRef` for many (new persons with one INSERT per table): ids and outcomes, errors in place. */
      upsertPrepared: async (access: RecordAccess, batch: readonly PreparedPerson[]) => {
        const results = await upsertPreparedPersons(db, access, batch)
        // As releaseRecord does for a record returned: the audit row lists what the request wrote.
        for (const result of results) if (!(result instanceof JaringError)) access.disclosed?.add(result.id)
        return results
      },
    },
    syndicates: {
      list: async (access: RecordAccess, args: ListArguments<SyndicateFilter>) => {
        refuseFiltersOnWithheldFields(access.decision, 'syndicates', args.filter as Record<string, unknown>)
        return releasePage(access, await listSyndicates(db, access, args, maxPageSize))
      },
      get: async (access: RecordAccess, id: string) =>
        releaseOptional(access, await getSyndicate(db, access, id)),
      byIds: async (access: RecordAccess, uuids: Ids) =>
        releaseMap(await syndicatesByIds(db, access, uuids), one(access)),
      members: async (access: RecordAccess, syndicateUuids: Ids) =>
        releaseLists(await membersOfSyndicates(db, access, syndicateUuids), releaseLink(access, 'person')),
      cases: async (access: RecordAccess, syndicateUuids: Ids) =>
        releaseLists(await casesOfSyndicates(db, access, syndicateUuids), one(access)),
      intelReports: async (access: RecordAccess, syndicateUuids: Ids) =>
        releaseLists(await intelReportsAbout(db, access, 'SYNDICATE', syndicateUuids), one(access)),
      create: async (access: RecordAccess, input: CreateSyndicateInput) =>
        releaseRecord(access, await createSyndicate(db, access, input)),
      update: async (access: RecordAccess, input: UpdateSyndicateInput) =>
        releaseRecord(access, await updateSyndicate(db, access, input)),
      upsertByExternalRef: (access: RecordAccess, input: CreateSyndicateInput) =>
        upserted(access, upsertSyndicateByExternalRef(db, access, input)),
    },
    intelReports: {
      list: async (access: RecordAccess, args: ListArguments<IntelReportFilter>) =>
        releasePage(access, await listIntelReports(db, access, args, maxPageSize)),
      get: async (access: RecordAccess, id: string) =>
        releaseOptional(access, await getIntelReport(db, access, id)),
      byIds: async (access: RecordAccess, uuids: Ids) =>
        releaseMap(await intelReportsByIds(db, access, uuids), one(access)),
      subjects: async (access: RecordAccess, reportUuids: Ids) =>
        releaseLists(await subjectsOfReports(db, access, reportUuids), one(access)),
      create: async (access: RecordAccess, input: CreateIntelReportInput) =>
        releaseRecord(access, await createIntelReport(db, access, input)),
      update: async (access: RecordAccess, input: UpdateIntelReportInput) =>
        releaseRecord(access, await updateIntelReport(db, access, input)),
      upsertByExternalRef: (access: RecordAccess, input: CreateIntelReportInput) =>
        upserted(access, upsertIntelReportByExternalRef(db, access, input)),
    },
    /** Any record by global id (`record(id)`); null when absent, not visible or another agency's. */
    record: async (access: RecordAccess, id: string) =>
      releaseOptional(access, await findRecord(db, access, id)),
  }
}

export type RecordRepositories = ReturnType<typeof boundRepositories> & {
  /**
   * Runs `work` in one transaction with the repositories bound to it: everything it writes is
   * committed together or not at all (the bulk import).
   */
  transaction<T>(work: (records: RecordRepositories) => Promise<T>): Promise<T>
  /** The same repositories bound to a transaction the caller holds (a writing request's, with its audit row). */
  within(transaction: Database): RecordRepositories
}

/** The repositories bound to one database (or one transaction). */
export function createRecordRepositories(db: Database, settings: RecordSettings): RecordRepositories {
  return {
    ...boundRepositories(db, settings),
    transaction: (work) =>
      db.transaction((tx) => work(createRecordRepositories(tx as unknown as Database, settings))),
    within: (transaction) => createRecordRepositories(transaction, settings),
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    records: RecordRepositories
  }
  interface FastifyRequest {
    /** Set while a writing request runs in its own transaction (the audit plugin opens it). */
    recordsInTransaction: RecordRepositories | null
  }
}

/** The repositories a request reads and writes through: its transaction's, when it holds one. */
export function requestRecords(request: FastifyRequest): RecordRepositories {
  return request.recordsInTransaction ?? request.server.records
}

export default fp(
  async (app) => {
    app.decorateRequest('recordsInTransaction', null)
    app.decorate(
      'records',
      createRecordRepositories(app.database.db, {
        agency: app.config.agency,
        country: app.config.country,
        maxPageSize: app.config.graphql.maxPageSize,
        policySource: { policy: () => app.policy, trustRoles: () => app.policyStore.trustRoles() },
      }),
    )
  },
  { name: 'records', dependencies: ['database', 'policy'] },
)
