/**
 * Static limits on GraphQL documents: depth, aliases, cost and tokens, plus the transport rules
 * (no batching, CSRF prevention, POST only). Each refusal carries its catalogue code so the error
 * formatter passes it through unchanged.
 *
 * mercurius caches parsing and validation by query text (FACTS.md), so everything here depends on
 * the text alone, never on the principal or the variables: a `first` given as a variable costs as
 * much as the largest page it could ask for.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql'
import type { MercuriusContext } from 'mercurius'
import type { NodeConfig } from '../config.ts'
import { type ErrorCode, JaringError } from '../errors.ts'

export type GraphqlLimits = NodeConfig['graphql']

/**
 * How many items a list without a page size is assumed to hold (a case's persons, a person's
 * identifiers): enough that nesting such lists inside a page of 100 adds up quickly.
 */
export const assumedListSize = 10

/*
 * Types are told apart by their tag, not with graphql's `isListType` and friends: those check
 * `instanceof`, and mercurius (CommonJS) and this module (ESM, under vitest) may each load their
 * own copy of graphql, whose classes then differ.
 */
const tagOf = (type: unknown) => (type as { [Symbol.toStringTag]?: string } | undefined)?.[Symbol.toStringTag]

function fieldsOf(
  type: GraphQLNamedType | undefined,
): Record<string, GraphQLField<unknown, unknown>> | undefined {
  const tag = tagOf(type)
  return tag === 'GraphQLObjectType' || tag === 'GraphQLInterfaceType'
    ? (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()
    : undefined
}

function isList(type: GraphQLOutputType): boolean {
  const nullable = tagOf(type) === 'GraphQLNonNull' ? (type as { ofType: GraphQLOutputType }).ofType : type
  return tagOf(nullable) === 'GraphQLList'
}

function namedTypeOf(type: GraphQLOutputType): GraphQLNamedType {
  let named: unknown = type
  while (tagOf(named) === 'GraphQLNonNull' || tagOf(named) === 'GraphQLList') {
    named = (named as { ofType: unknown }).ofType
  }
  return named as GraphQLNamedType
}

/** A validation error with the catalogue's code and message, and the numbers behind it. */
function limitError(code: ErrorCode, limit: number, found?: number): GraphQLError {
  const detail = found === undefined ? `The limit is ${limit}.` : `The limit is ${limit}, found ${found}.`
  const coded = new JaringError(code, { detail })
  return new GraphQLError(coded.message, {
    extensions: { code, limit, ...(found === undefined ? {} : { found }) },
  })
}

/** graphql-armor reports `... exceeded, found N.`; the count is worth keeping, the wording is not. */
function reportArmorRejection(code: ErrorCode, limit: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const found = /found (\d+)/.exec(error.message)?.[1]
    context?.reportError(limitError(code, limit, found === undefined ? undefined : Number(found)))
  }
}

function pageSize(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  limits: GraphqlLimits,
): number {
  const argument = field.arguments?.find((candidate) => candidate.name.value === 'first')
  let requested: number
  if (argument?.value.kind === Kind.INT) requested = Number.parseInt(argument.value.value, 10)
  else if (argument) requested = limits.maxPageSize
  else {
    const fallback = definition.args.find((candidate) => candidate.name === 'first')?.defaultValue
    requested = typeof fallback === 'number' ? fallback : limits.maxPageSize
  }
  // A page over the maximum is refused by the resolver (PAGE_TOO_LARGE), not priced here.
  return Math.max(1, Math.min(requested, limits.maxPageSize))
}

/**
 * The cost of an operation: one per field, times the number of items a list multiplies it by. A
 * paginated field (`first`) multiplies its selection by the page size, and the lists directly
 * inside it (`nodes`) are that page; any other list counts `assumedListSize` items. Introspection
 * is not priced: it is for officers only and graphql's MaxIntrospectionDepthRule bounds it.
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  limits: GraphqlLimits,
): number {
  const fragmentCosts = new Map<string, number>()
  const inProgress = new Set<string>()

  function selectionCost(
    selectionSet: SelectionSetNode,
    parentType: GraphQLNamedType | undefined,
    insidePage: boolean,
  ): number {
    let cost = 0
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        cost += fieldCost(selection, parentType, insidePage)
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType
        cost += selectionCost(selection.selectionSet, type, insidePage)
      } else {
        cost += fragmentCost(selection.name.value, insidePage)
      }
    }
    return cost
  }

  function fragmentCost(name: string, insidePage: boolean): number {
    const key = `${name}:${insidePage}`
    const known = fragmentCosts.get(key)
    if (known !== undefined) return known
    const fragment = fragments(name)
    // A cycle or an unknown fragment is reported by graphql's own rules.
    if (!fragment || inProgress.has(name)) return 0
    inProgress.add(name)
    const cost = selectionCost(
      fragment.selectionSet,
      schema.getType(fragment.typeCondition.name.value),
      insidePage,
    )
    inProgress.delete(name)
    fragmentCosts.set(key, cost)
    return cost
  }

  function fieldCost(
    field: FieldNode,
    parentType: GraphQLNamedType | undefined,
    insidePage: boolean,
  ): number {
    const name = field.name.value
    if (name === '__schema' || name === '__type') return 0
    const definition = fieldsOf(parentType)?.[name]
    if (!field.selectionSet || !definition) return 1
    const paginated = definition.args.some((argument) => argument.name === 'first')
    const items = paginated
      ? pageSize(field, definition, limits)
      : isList(definition.type) && !insidePage
        ? assumedListSize
        : 1
    return 1 + items * selectionCost(field.selectionSet, namedTypeOf(definition.type), paginated)
  }

  return selectionCost(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, false)
}

function costLimitRule(limits: GraphqlLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const cost = operationCost(context.getSchema(), operation, (name) => context.getFragment(name), limits)
      if (cost > limits.maxCost) context.reportError(limitError('QUERY_TOO_COMPLEX', limits.maxCost, cost))
    },
  })
}

/** The rules mercurius adds to graphql's own (`validationRules`). */
function limitRules(limits: GraphqlLimits): ValidationRule[] {
  return [
    maxDepthRule({
      n: limits.maxDepth,
      // Fragments are a way of writing, not a level of nesting.
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [reportArmorRejection('QUERY_TOO_DEEP', limits.maxDepth)],
    }) as ValidationRule,
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [reportArmorRejection('TOO_MANY_ALIASES', limits.maxAliases)],
    }) as ValidationRule,
    costLimitRule(limits),
  ]
}

/**
 * The mercurius options that enforce the limits. Tokens are counted while parsing (graphql stops
 * at the limit, so a flood costs no more than the limit); the body size is Fastify's `bodyLimit`.
 */
export function limitOptions(limits: GraphqlLimits) {
  return {
    validationRules: limitRules(limits),
    graphql: { parseOptions: { maxTokens: limits.maxTokens } },
    allowBatchedQueries: false,
    csrfPrevention: true,
  } as const
}

/**
 * mercurius reads a query that fails to parse as a JSON-encoded AST and validates that instead,
 * skipping the token limit (and crashing on anything that is not an AST). A GraphQL document never
 * starts like JSON (`{"`, `{}`, `[`, a string, a number or a bare literal), so such a text is
 * refused as unparseable before mercurius gets to try.
 */
const jsonText = /^[\t\n\r ]*(?:[[\d"-]|\{[\t\n\r ]*["}]|(?:true|false|null)[\t\n\r ]*$)/

/**
 * GraphQL is served over POST only: a GET puts the query and its variables (names, phone numbers)
 * in the URL, where proxies and access logs keep them, and there is nothing to cache.
 */
export async function guardSource(
  _schema: GraphQLSchema,
  source: string,
  context: MercuriusContext,
): Promise<void> {
  if (context.reply?.request.method === 'GET') {
    context.reply.header('allow', 'POST')
    throw new JaringError('METHOD_NOT_ALLOWED', { detail: 'Send GraphQL operations with POST.' })
  }
  if (jsonText.test(source)) {
    throw new JaringError('GRAPHQL_PARSE_FAILED', { detail: 'The query is JSON, not a GraphQL document.' })
  }
}
