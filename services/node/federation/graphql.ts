/**
 * Federation inside GraphQL: a list query or `record(id)` with a `reach` beyond this node. The
 * asker forwards its own selection of the records to each peer as an operation of the same schema
 * (`__typename` added to every selection set, so abstract types resolve), checks every answer
 * against that operation on the schema (shape, nullability, enums, types) before using it, and
 * merges: this node's page first, then each answering peer's page in agency-code order, each item
 * tagged with the agency that answered. `first` is the page size per answering agency (the
 * contract), and the cursor carries every agency's position.
 *
 * Records from a peer are plain response objects; the schema's resolvers are wrapped so that such
 * an object is answered from its own response keys and never reaches a loader or the database.
 */
import {
  type DocumentNode,
  defaultFieldResolver,
  defaultTypeResolver,
  type ExecutionResult,
  execute,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
  visit,
} from 'graphql'
import { buildJaringSchema } from '../../../schema/index.ts'
import { JaringError } from '../errors.ts'

/** Objects that came from a peer, with the agency that answered them. */
const remoteObjects = new WeakMap<object, string>()

export function remoteAgencyOf(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? remoteObjects.get(value) : undefined
}

function markRemote(value: unknown, agency: string): void {
  if (value === null || typeof value !== 'object') return
  if (Array.isArray(value)) {
    for (const item of value) markRemote(item, agency)
    return
  }
  remoteObjects.set(value, agency)
  for (const child of Object.values(value)) markRemote(child, agency)
}

/**
 * Makes every field and abstract type of the schema answer peer objects from their response keys.
 * `source` is never taken from the peer: the asker tags the item with the agency it asked.
 */
export function wrapSchemaForRemoteRecords(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue
    // By tag, not instanceof: mercurius may hold the CommonJS copy of graphql and this module the ESM one.
    const tag = Object.prototype.toString.call(type)
    if (tag === '[object GraphQLInterfaceType]' || tag === '[object GraphQLUnionType]') {
      const abstract = type as GraphQLInterfaceType
      const resolveType = abstract.resolveType ?? defaultTypeResolver
      abstract.resolveType = (value, context, info, abstractType) => {
        if (remoteAgencyOf(value) !== undefined) return (value as { __typename?: string }).__typename
        return resolveType(value, context, info, abstractType)
      }
      continue
    }
    if (tag !== '[object GraphQLObjectType]' || ['Query', 'Mutation', 'Subscription'].includes(type.name))
      continue
    for (const field of Object.values((type as GraphQLObjectType).getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver
      field.resolve = (parent, args, context, info) => {
        const agency = remoteAgencyOf(parent)
        if (agency === undefined) return resolve(parent, args, context, info)
        if (info.fieldName === 'source') return { agency }
        return (parent as Record<string, unknown>)[String(info.path.key)]
      }
    }
  }
}

// --- the operation sent to a peer -------------------------------------------------------------

const typenameField: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }

function withTypenames<T extends SelectionSetNode | FragmentDefinitionNode>(node: T): T {
  return visit(node, {
    SelectionSet(set) {
      const has = set.selections.some(
        (selection) =>
          selection.kind === Kind.FIELD && selection.name.value === '__typename' && !selection.alias,
      )
      return has ? undefined : { ...set, selections: [typenameField, ...set.selections] }
    },
  }) as T
}

/** The selections under a field, with fragments on the field's own type flattened. */
function flatten(selections: readonly SelectionNode[], info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = []
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection)
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      fields.push(...flatten(selection.selectionSet.selections, info))
    else {
      const fragment = info.fragments[selection.name.value]
      if (fragment) fields.push(...flatten(fragment.selectionSet.selections, info))
    }
  }
  return fields
}

/** Fragment definitions and variables the forwarded selection uses, transitively. */
function dependencies(root: SelectionSetNode, info: GraphQLResolveInfo) {
  const fragments = new Map<string, FragmentDefinitionNode>()
  const variables = new Set<string>()
  const walk = (node: SelectionSetNode | FragmentDefinitionNode) => {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value
        const fragment = info.fragments[name]
        if (!fragment || fragments.has(name)) return
        fragments.set(name, withTypenames(fragment))
        walk(fragment)
      },
      Variable(variable) {
        variables.add(variable.name.value)
      },
    })
  }
  walk(root)
  return { fragments: [...fragments.values()], variables }
}

export interface ForwardedOperation {
  /** The document text as sent; the body's bytes are what the assertion signs. */
  query: string
  document: DocumentNode
  variables: Record<string, unknown>
}

function variableDefinition(name: string, type: string): VariableDefinitionNode {
  return (parse(`query($${name}: ${type}) { __typename }`).definitions[0] as OperationDefinitionNode)
    .variableDefinitions?.[0] as VariableDefinitionNode
}

function buildOperation(
  info: GraphQLResolveInfo,
  rootField: string,
  rootArgs: { name: string; type: string; value: unknown }[],
  selectionSet: SelectionSetNode,
): ForwardedOperation {
  const selection = withTypenames(selectionSet)
  const used = dependencies(selection, info)
  const userVariables = (info.operation.variableDefinitions ?? []).filter((definition) =>
    used.variables.has(definition.variable.name.value),
  )
  const variables: Record<string, unknown> = {}
  for (const definition of userVariables) {
    const name = definition.variable.name.value
    if (info.variableValues[name] !== undefined) variables[name] = info.variableValues[name]
  }
  const present = rootArgs.filter((arg) => arg.value !== undefined && arg.value !== null)
  for (const arg of present) variables[`jaring_${arg.name}`] = arg.value
  const root: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: 'result' },
    name: { kind: Kind.NAME, value: rootField },
    arguments: present.map((arg) => ({
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: arg.name },
      value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: `jaring_${arg.name}` } },
    })),
    selectionSet: selection,
  }
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: { kind: Kind.NAME, value: 'Peer' },
    variableDefinitions: [
      ...present.map((arg) => variableDefinition(`jaring_${arg.name}`, arg.type)),
      ...userVariables,
    ],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [root] },
  }
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...used.fragments] }
  return { query: print(document), document, variables: JSON.parse(JSON.stringify(variables)) }
}

const argumentTypes = (info: GraphQLResolveInfo, field: string) =>
  Object.fromEntries(
    (info.schema.getQueryType()?.getFields()[field]?.args ?? []).map((arg) => [arg.name, String(arg.type)]),
  )

/** The list operation for a peer: the asker's selection of `nodes`, and the page info it needs. */
export function forwardedList(
  info: GraphQLResolveInfo,
  rootField: string,
  args: { filter?: unknown; first?: number | null; after?: string | null },
): ForwardedOperation {
  const types = argumentTypes(info, rootField)
  const connectionFields = info.fieldNodes.flatMap((node) =>
    flatten(node.selectionSet?.selections ?? [], info),
  )
  const nodeSelections = connectionFields
    .filter((field) => field.name.value === 'nodes')
    .flatMap((field) => field.selectionSet?.selections ?? [])
  const pageInfo = parse('{ pageInfo { hasNextPage endCursor } }').definitions[0] as OperationDefinitionNode
  const selectionSet: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: [
      {
        kind: Kind.FIELD,
        name: { kind: Kind.NAME, value: 'nodes' },
        selectionSet: { kind: Kind.SELECTION_SET, selections: nodeSelections },
      },
      ...pageInfo.selectionSet.selections,
    ],
  }
  return buildOperation(
    info,
    rootField,
    [
      { name: 'filter', type: types.filter ?? 'String', value: args.filter },
      { name: 'first', type: types.first ?? 'Int', value: args.first },
      { name: 'after', type: types.after ?? 'Cursor', value: args.after },
    ],
    selectionSet,
  )
}

/** The keys `nodes` answers under in the asker's connection (`nodes`, or its aliases). */
export function nodesResponseKeys(info: GraphQLResolveInfo): string[] {
  const keys = info.fieldNodes
    .flatMap((node) => flatten(node.selectionSet?.selections ?? [], info))
    .filter((field) => field.name.value === 'nodes')
    .map((field) => field.alias?.value ?? field.name.value)
  return [...new Set(keys)]
}

/** `record(id)` for its owner: the asker's selection of the record. */
export function forwardedRecord(info: GraphQLResolveInfo, id: string): ForwardedOperation {
  const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? [])
  return buildOperation(info, 'record', [{ name: 'id', type: 'ID!', value: id }], {
    kind: Kind.SELECTION_SET,
    selections,
  })
}

// --- checking a peer's answer -----------------------------------------------------------------

let plainSchema: GraphQLSchema | undefined

/**
 * The peer's `data` run through the forwarded operation on a resolver-free copy of the schema:
 * every non-null, list, enum and object type is checked, and only what was asked is kept.
 * Undefined when the answer does not fit.
 */
export function checkedPeerData(
  operation: ForwardedOperation,
  data: Record<string, unknown>,
  agency: string,
): Record<string, unknown> | undefined {
  plainSchema ??= buildJaringSchema()
  const result = execute({
    schema: plainSchema,
    document: operation.document,
    variableValues: operation.variables,
    rootValue: data,
    fieldResolver: (source, _args, _context, info) =>
      source === null || typeof source !== 'object'
        ? undefined
        : (source as Record<string, unknown>)[String(info.path.key)],
    typeResolver: (value) => (value as { __typename?: unknown } | null)?.__typename as string | undefined,
  }) as ExecutionResult
  if (result.errors?.length || !result.data) return undefined
  const checked = JSON.parse(JSON.stringify(result.data)) as Record<string, unknown>
  markRemote(checked.result, agency)
  return checked
}

// --- the cursor over every agency -------------------------------------------------------------

const cursorTag = 'federated'
const maxFederatedCursorLength = 8_192
const maxPositionLength = 512

/**
 * Every agency's position: a cursor string to continue after, null when that agency has no more.
 * An agency absent from the map starts from its beginning (a peer that failed keeps the position
 * it had, so its slice comes on a later page rather than never).
 */
export type Positions = Record<string, string | null>

export function encodeFederatedCursor(field: string, positions: Positions): string {
  return Buffer.from(JSON.stringify([cursorTag, field, positions]), 'utf8').toString('base64url')
}

export function decodeFederatedCursor(field: string, cursor: string): Positions {
  const fail = () => new JaringError('INVALID_CURSOR', { path: 'after' })
  if (cursor.length > maxFederatedCursorLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail()
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw fail()
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== cursorTag || value[1] !== field)
    throw fail()
  const positions = value[2]
  if (!positions || typeof positions !== 'object' || Array.isArray(positions)) throw fail()
  for (const [agency, position] of Object.entries(positions)) {
    if (!/^[A-Z]{2}-[A-Z0-9]{2,10}$/.test(agency)) throw fail()
    if (position !== null && (typeof position !== 'string' || position.length > maxPositionLength))
      throw fail()
  }
  return positions as Positions
}
