/**
 * Introspection is for officers, decided per request: the same document, sent by different
 * principals in turn, is answered for an officer and refused for a system or the secretariat, so
 * the decision cannot have been cached with the document's validation.
 */
import { getIntrospectionQuery } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'

describe(`introspection on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  const tokens: Record<'liaison' | 'analyst' | 'system' | 'secretariat', string> = {
    liaison: '',
    analyst: '',
    system: '',
    secretariat: '',
  }

  async function post(role: keyof typeof tokens, query: string, operationName?: string) {
    const response = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ query, operationName }),
    })
    return { status: response.statusCode, headers: response.headers, body: response.json() }
  }

  beforeAll(async () => {
    node = await buildTestApp()
    for (const role of Object.keys(tokens) as (keyof typeof tokens)[]) tokens[role] = await node.token(role)
  })
  afterAll(async () => {
    await node?.close()
  })

  it('answers and refuses the same document by principal, in any order', async () => {
    const query = '{ __schema { queryType { name } } }'
    for (const role of ['liaison', 'system', 'analyst', 'secretariat', 'liaison', 'system'] as const) {
      const answer = await post(role, query)
      if (role === 'liaison' || role === 'analyst') {
        expect(answer.status, role).toBe(200)
        expect(answer.body, role).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } })
      } else {
        expect(answer.status, role).toBe(403)
        expect(answer.body.data, role).toBeUndefined()
        expect(
          answer.body.errors.map((error: { extensions: { code: string } }) => error.extensions.code),
          role,
        ).toEqual(['INTROSPECTION_FORBIDDEN'])
        expect(answer.headers['www-authenticate'], role).toBe(
          'Bearer realm="jaring", error="insufficient_scope"',
        )
      }
    }
  })

  it("gives an officer GraphiQL's full introspection query within the limits", async () => {
    const answer = await post('liaison', getIntrospectionQuery())
    expect(answer.status).toBe(200)
    expect(answer.body.errors).toBeUndefined()
    expect(answer.body.data.__schema.types.some((type: { name: string }) => type.name === 'Case')).toBe(true)
  })

  it('refuses introspection however it is written: __type, an inline fragment, a named fragment', async () => {
    const disguised = [
      '{ __type(name: "Case") { name } }',
      '{ ... on Query { __schema { types { name } } } }',
      'query { ...Meta } fragment Meta on Query { __schema { types { name } } }',
    ]
    for (const query of disguised) {
      const answer = await post('system', query)
      expect(answer.status, query).toBe(403)
      expect(answer.body.errors[0].extensions.code, query).toBe('INTROSPECTION_FORBIDDEN')
    }
  })

  it('refuses a document that holds introspection in any operation, even one not selected', async () => {
    const answer = await post(
      'system',
      'query A { __typename } query B { __type(name: "Person") { name } }',
      'A',
    )
    expect(answer.status).toBe(403)
    expect(answer.body.errors[0].extensions.code).toBe('INTROSPECTION_FORBIDDEN')
  })

  it('lets every principal ask for __typename, which reveals nothing of the schema', async () => {
    for (const role of ['system', 'secretariat'] as const) {
      const answer = await post(role, '{ __typename }')
      expect(answer.status, role).toBe(200)
      expect(answer.body).toEqual({ data: { __typename: 'Query' } })
    }
  })
})
