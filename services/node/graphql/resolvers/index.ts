/**
 * The resolvers: thin. Arguments in, one repository call, the result out. Root fields are wrapped
 * with their scope from `scopes.ts`, so no resolver can forget its check.
 */
import type { GraphQLResolveInfo } from 'graphql'
import type { IResolvers, MercuriusContext } from 'mercurius'
import type { Purpose } from '../../../../schema/index.ts'
import { type AuditEventArguments, auditPage, auditQueryOf } from '../../audit/oversight.ts'
import { JaringError } from '../../errors.ts'
import type { ReachArgument } from '../../federation/fanout.ts'
import { policyExplain, sharingAgreement } from '../../policy/graphql.ts'
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
  SyndicateFilter,
  UpdateCaseInput,
  UpdateIntelReportInput,
  UpdatePersonInput,
  UpdateSyndicateInput,
} from '../../records/types.ts'
import type { StatisticsArguments } from '../../stats/model.ts'
import { requireFieldScope, rootFieldScopes } from '../scopes.ts'
import { scalarResolvers } from './scalars.ts'

// Arguments arrive checked against the schema; the repositories check their values again.
type Resolver<Args> = (
  root: unknown,
  args: Args,
  context: MercuriusContext,
  info: GraphQLResolveInfo,
) => unknown
type RootResolver = Resolver<never>
type Input<T> = { input: T }

const graphqlTypeOf: Record<AnyRecord['type'], string> = {
  CASE: 'Case',
  PERSON: 'Person',
  SYNDICATE: 'Syndicate',
  INTEL_REPORT: 'IntelReport',
}

/** Repository paths name the input's fields; in GraphQL they sit under the `input` argument. */
async function underInput<T>(write: Promise<T>): Promise<T> {
  try {
    return await write
  } catch (error) {
    if (error instanceof JaringError && error.path) {
      throw new JaringError(error.code, {
        path: `input.${error.path}`,
        ...(error.detail ? { detail: error.detail } : {}),
        ...(error.extra ? { extra: error.extra } : {}),
      })
    }
    throw error
  }
}

const queries = {
  cases: ((_, args, context, info) =>
    context.app.federation.list('cases', args, context, info, (page) =>
      context.records.cases.list(context.access, page as ListArguments<CaseFilter>),
    )) as Resolver<ListArguments<CaseFilter>>,
  persons: ((_, args, context, info) =>
    context.app.federation.list('persons', args, context, info, (page) =>
      context.records.persons.list(context.access, page as ListArguments<PersonFilter>),
    )) as Resolver<ListArguments<PersonFilter>>,
  syndicates: ((_, args, context, info) =>
    context.app.federation.list('syndicates', args, context, info, (page) =>
      context.records.syndicates.list(context.access, page as ListArguments<SyndicateFilter>),
    )) as Resolver<ListArguments<SyndicateFilter>>,
  intelReports: ((_, args, context, info) =>
    context.app.federation.list('intelReports', args, context, info, (page) =>
      context.records.intelReports.list(context.access, page as ListArguments<IntelReportFilter>),
    )) as Resolver<ListArguments<IntelReportFilter>>,
  record: (async (_, args, context, info) => {
    const found = await context.app.federation.record(args, context, info, () =>
      context.records.record(context.access, args.id),
    )
    if (!found) throw new JaringError('NOT_FOUND', { path: 'id' })
    return found
  }) as Resolver<{ id: string; reach?: ReachArgument | null }>,
  sharingAgreement: sharingAgreement as Resolver<{ with: string }>,
  policyExplain: policyExplain as Resolver<{ recordId: string; as: string; purpose: Purpose }>,
  auditEvents: (async (_, args, { app }) => {
    const query = auditQueryOf(args, app.config.graphql.maxPageSize)
    return auditPage(await app.audit.query(query), query)
  }) as Resolver<AuditEventArguments>,
  statistics: ((_, args, context) =>
    context.app.federation.statistics(
      args,
      { principal: context.principal, request: context.reply.request },
      () => context.app.stats.local(context.principal, args),
    )) as Resolver<StatisticsArguments & { reach?: ReachArgument | null }>,
} satisfies Record<keyof (typeof rootFieldScopes)['Query'], RootResolver>

const mutations = {
  createCase: ((_, { input }, { records, access }) =>
    underInput(records.cases.create(access, input))) as Resolver<Input<CreateCaseInput>>,
  updateCase: ((_, { input }, { records, access }) =>
    underInput(records.cases.update(access, input))) as Resolver<Input<UpdateCaseInput>>,
  createPerson: ((_, { input }, { records, access }) =>
    underInput(records.persons.create(access, input))) as Resolver<Input<CreatePersonInput>>,
  updatePerson: ((_, { input }, { records, access }) =>
    underInput(records.persons.update(access, input))) as Resolver<Input<UpdatePersonInput>>,
  createSyndicate: ((_, { input }, { records, access }) =>
    underInput(records.syndicates.create(access, input))) as Resolver<Input<CreateSyndicateInput>>,
  updateSyndicate: ((_, { input }, { records, access }) =>
    underInput(records.syndicates.update(access, input))) as Resolver<Input<UpdateSyndicateInput>>,
  createIntelReport: ((_, { input }, { records, access }) =>
    underInput(records.intelReports.create(access, input))) as Resolver<Input<CreateIntelReportInput>>,
  updateIntelReport: ((_, { input }, { records, access }) =>
    underInput(records.intelReports.update(access, input))) as Resolver<Input<UpdateIntelReportInput>>,
} satisfies Record<keyof (typeof rootFieldScopes)['Mutation'], RootResolver>

function scoped<Field extends string>(
  type: keyof typeof rootFieldScopes,
  resolvers: Record<Field, RootResolver>,
): Record<Field, RootResolver> {
  const scopes = rootFieldScopes[type] as Record<string, Parameters<typeof requireFieldScope>[1]>
  return Object.fromEntries(
    Object.entries<RootResolver>(resolvers).map(([field, resolve]) => {
      const scope = scopes[field]
      if (!scope) throw new Error(`${type}.${field} has no scope in graphql/scopes.ts`)
      const guarded: RootResolver = (root, args, context, info) => {
        requireFieldScope(context.principal, scope, field)
        return resolve(root, args as never, context, info)
      }
      return [field, guarded]
    }),
  ) as Record<Field, RootResolver>
}

const source = (record: AnyRecord) => ({ agency: record.agency })

export const resolvers = {
  ...scalarResolvers,
  Query: scoped('Query', queries),
  Mutation: scoped('Mutation', mutations),
  Record: { resolveType: (record: AnyRecord) => graphqlTypeOf[record.type] },
  IntelSubject: { resolveType: (record: AnyRecord) => graphqlTypeOf[record.type] },
  Case: { source },
  Person: { source },
  Syndicate: { source },
  IntelReport: { source },
} as unknown as IResolvers
