/**
 * The cost model on its own: one per field, lists multiplied by their page size (literal, variable
 * or schema default) or by the assumed size of an unpaginated list, fragments priced like the
 * fields they stand for.
 */
import { type DocumentNode, Kind, type OperationDefinitionNode, parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { buildJaringSchema } from '../../../schema/index.ts'
import { assumedListSize, type GraphqlLimits, operationCost } from '../../../services/node/graphql/limits.ts'

const schema = buildJaringSchema()
const limits: GraphqlLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxCost: 5_000,
  maxTokens: 2_000,
  maxPageSize: 100,
}

function cost(query: string): number {
  const document: DocumentNode = parse(query)
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  )
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )
  if (!operation) throw new Error('no operation')
  return operationCost(schema, operation, (name) => fragments.get(name), limits)
}

describe('GraphQL query cost', () => {
  it('counts one per field', () => {
    expect(cost('{ __typename }')).toBe(1)
    expect(cost('{ record(id: "TH-RTP:x") { id version } }')).toBe(3)
  })

  it('multiplies a page by its size: literal, variable (the largest page) or the schema default', () => {
    const page = (first: string) => cost(`query ($n: Int) { cases${first} { nodes { id title } } }`)
    // cases (1) + size x (nodes (1) + id + title): the connection's `nodes` is the page itself.
    expect(page('(first: 5)')).toBe(1 + 5 * 3)
    expect(page('(first: $n)')).toBe(1 + limits.maxPageSize * 3)
    expect(page('')).toBe(1 + 20 * 3)
  })

  it('prices a page over the maximum as the maximum (the resolver refuses it with PAGE_TOO_LARGE)', () => {
    expect(cost('{ cases(first: 100000) { nodes { id } } }')).toBe(
      cost('{ cases(first: 100) { nodes { id } } }'),
    )
  })

  it('multiplies a list without a page size by the assumed list size, at every level', () => {
    const one = cost('{ cases(first: 1) { nodes { persons { role } } } }')
    const two = cost('{ cases(first: 1) { nodes { persons { person { cases { role } } } } } }')
    expect(one).toBe(1 + 1 * (1 + (1 + assumedListSize * 1)))
    expect(two).toBe(1 + 1 * (1 + (1 + assumedListSize * (1 + (1 + assumedListSize * 1)))))
  })

  it('prices fragments like the fields they stand for, and survives a fragment cycle', () => {
    const inline = cost('{ cases(first: 3) { nodes { id persons { role } } } }')
    const named = cost('{ cases(first: 3) { nodes { ...C } } } fragment C on Case { id persons { role } }')
    expect(named).toBe(inline)
    const cyclic = cost(
      '{ cases { nodes { ...A } } } fragment A on Case { ...B } fragment B on Case { ...A id }',
    )
    expect(Number.isFinite(cyclic)).toBe(true)
  })

  it('prices an invalid document without failing (graphql reports what is wrong with it)', () => {
    expect(cost('{ record(id: "x") { ... on Persn { id } } }')).toBe(2)
    expect(cost('{ cases { nodes { nickname { first } } } }')).toBe(1 + 20 * (1 + 1))
    expect(cost('{ ...Missing }')).toBe(0)
  })

  it('does not price introspection (officers only, bounded by graphql)', () => {
    expect(cost('{ __schema { types { fields { name } } } }')).toBe(0)
  })
})
