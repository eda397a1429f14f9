/**
 * The policy in the GraphQL endpoint: every field a rule withholds is reported in the answer's
 * `extensions.withheld` (path and rule, never the value); `sharingAgreement` shows an agency what
 * this node offers it (rules, never data); `policyExplain` answers what `jaring policy explain` does.
 * The values themselves were withheld earlier, by the records repositories, before any resolver ran.
 */
import type {
  GraphQLFieldResolver,
  GraphQLObjectType,
  GraphQLResolveInfo,
  GraphQLSchema,
  ResponsePath,
} from 'graphql'
import type { MercuriusContext } from 'mercurius'
import type { Purpose } from '../../../schema/index.ts'
import { JaringError } from '../errors.ts'
import type { Decision } from './decide.ts'
import { explain, type FieldExplanation, type RecordExplanation } from './explain.ts'
import { identifierValueRule, type WithheldField } from './fields.ts'
import { explainReader, loadExplainRecord } from './record-source.ts'
import type { PolicyResource } from './resources.ts'
import { type AgreementSummary, offeredTo } from './summary.ts'

/** An identifier's value fields, ruled by the identifier's kind rather than by a field rule. */
const identifierValue = Symbol('identifier value')

/** The GraphQL fields a rule decides, by type: the resource and the policy field behind each. */
const ruledFields: Record<string, { resource: PolicyResource; fields: Record<string, string | symbol> }> = {
  Case: {
    resource: 'cases',
    fields: { title: 'title', summary: 'summary', location: 'location', closedOn: 'closedOn' },
  },
  Person: {
    resource: 'persons',
    fields: {
      names: 'names',
      primaryName: 'names',
      dateOfBirth: 'dateOfBirth',
      dateOfBirthPrecision: 'dateOfBirth',
      nationality: 'nationality',
      lastKnownCountry: 'lastKnownCountry',
      statusChangedOn: 'statusChangedOn',
      notes: 'notes',
    },
  },
  Identifier: {
    resource: 'identifiers',
    fields: { issuingCountry: 'issuingCountry', value: identifierValue, normalised: identifierValue },
  },
  Syndicate: { resource: 'syndicates', fields: { aliases: 'aliases', description: 'description' } },
  IntelReport: { resource: 'intelReports', fields: { title: 'title', body: 'body' } },
}

/** What a GraphQL request needs of its context to report withheld fields. */
interface DecidedContext {
  access: { decision: Decision }
}

const withheldByRequest = new WeakMap<object, WithheldField[]>()

/** `persons.nodes[2].dateOfBirth`, the form withheld paths take in GraphQL and REST alike. */
export function responsePathText(path: ResponsePath | undefined): string {
  const parts: (string | number)[] = []
  for (let at = path; at; at = at.prev) parts.unshift(at.key)
  return parts
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('')
}

function noteWithheld(
  context: DecidedContext,
  resource: PolicyResource,
  field: string | symbol,
  source: Record<string, unknown>,
  info: GraphQLResolveInfo,
) {
  const decision = context.access.decision
  const resourceDecision = decision.resources[resource]
  const { rule, rulePath } =
    field === identifierValue
      ? identifierValueRule(resourceDecision, source.kind)
      : (resourceDecision.fields[field as string] ?? { rule: 'omit' as const, rulePath: '(default deny)' })
  if (rule === 'allow') return
  let withheld = withheldByRequest.get(context)
  if (!withheld) {
    withheld = []
    withheldByRequest.set(context, withheld)
  }
  withheld.push({ path: responsePathText(info.path), rule, agreementId: decision.agreementId, rulePath })
}

/**
 * graphql's own default resolver, written out: mercurius (CommonJS) and code loaded as ESM may hold
 * two copies of graphql, so nothing here relies on graphql's functions or `instanceof` checks.
 */
const propertyResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  const property = (source as Record<string, unknown> | null | undefined)?.[info.fieldName]
  return typeof property === 'function' ? property.call(source, args, context, info) : property
}

/**
 * Wraps the resolver of every ruled field (a loader's as well) so that a field the decision
 * withholds is reported where it appears in the answer. Call once, after the resolvers and loaders
 * are defined and before the first request.
 */
export function reportWithheldFields(schema: GraphQLSchema): void {
  for (const [typeName, { resource, fields }] of Object.entries(ruledFields)) {
    const type = schema.getType(typeName) as GraphQLObjectType | undefined
    if (!type || !('getFields' in type)) {
      throw new Error(`reportWithheldFields: the schema has no object type ${typeName}`)
    }
    const typeFields = type.getFields()
    for (const [fieldName, policyField] of Object.entries(fields)) {
      const field = typeFields[fieldName]
      if (!field) throw new Error(`reportWithheldFields: ${typeName} has no field ${fieldName}`)
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? propertyResolver
      field.resolve = (source, args, context, info) => {
        noteWithheld(
          context as DecidedContext,
          resource,
          policyField,
          source as Record<string, unknown>,
          info,
        )
        return resolve(source, args, context, info)
      }
    }
  }
}

/** Adds fields withheld elsewhere (a peer's policy, already placed in this answer) to the request's report. */
export function noteWithheldFields(context: object, entries: readonly WithheldField[]): void {
  if (entries.length === 0) return
  const withheld = withheldByRequest.get(context)
  if (withheld) withheld.push(...entries)
  else withheldByRequest.set(context, [...entries])
}

/** The fields withheld from a request's answer so far. */
export function withheldFieldsOf(context: object): readonly WithheldField[] {
  return withheldByRequest.get(context) ?? []
}

/** mercurius `onResolution` hook: puts the request's withheld fields into `extensions.withheld`. */
export async function attachWithheld(
  execution: { extensions?: Record<string, unknown> },
  context: MercuriusContext,
): Promise<void> {
  const withheld = withheldByRequest.get(context)
  if (!withheld || withheld.length === 0) return
  execution.extensions = { ...execution.extensions, withheld }
}

function offerOf(agreement: AgreementSummary) {
  return {
    ...agreement,
    resources: agreement.resources.map((resource) => ({
      ...resource,
      identifierKinds: resource.identifierKinds?.map(({ field, rule }) => ({ kind: field, rule })) ?? null,
    })),
  }
}

/** `sharingAgreement(with:)`: what this node's policy offers the agency, now and later. */
export function sharingAgreement(_root: unknown, args: { with: string }, context: MercuriusContext) {
  const principal = context.principal
  if (principal?.kind === 'peer' && principal.agency !== args.with) {
    throw new JaringError('FORBIDDEN', {
      path: 'with',
      detail: 'A peer may see only what this node offers its own agency.',
    })
  }
  const { app } = context
  const policy = app.policy
  return {
    offeredBy: app.config.agency,
    with: args.with,
    policyVersion: policy.version,
    policyHash: policy.hash,
    agreements: offeredTo(policy, args.with, app.policyStore.trustRoles(), new Date()).map(offerOf),
  }
}

const asJson = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value))

function recordExplanationOut(record: RecordExplanation) {
  return {
    ...record,
    release: record.release,
    fields: record.fields.map((field: FieldExplanation) => ({ ...field, released: asJson(field.released) })),
  }
}

/** `policyExplain(recordId:, as:, purpose:)`: the CLI's `policy explain`, for administrators. */
export async function policyExplain(
  _root: unknown,
  args: { recordId: string; as: string; purpose: Purpose },
  context: MercuriusContext,
) {
  const { app } = context
  const record = await loadExplainRecord(
    context.records,
    context.records.access(explainReader(app.config.agency)),
    args.recordId,
  )
  if (!record) throw new JaringError('NOT_FOUND', { path: 'recordId' })
  const explanation = explain(app.policy, record, args.as, args.purpose, {
    roles: app.policyStore.trustRoles(),
  })
  return {
    ...explanation,
    record: recordExplanationOut(explanation.record),
    identifiers: explanation.identifiers.map(recordExplanationOut),
  }
}
