/**
 * Document and transport limits on `/graphql`, through the front door: each abusive request is
 * refused with its own code before anything executes, and an ordinary query still passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'

interface GraphqlAnswer {
  status: number
  body: {
    data?: unknown
    errors?: { message: string; extensions: { code: string; [key: string]: unknown } }[]
  }
}

async function post(
  node: TestApp,
  token: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const response = await node.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
  return { status: response.statusCode, body: response.json() }
}

const codes = (answer: GraphqlAnswer) => answer.body.errors?.map((error) => error.extensions.code)

/** Eight levels of fields: persons, nodes, cases, case, persons, person, identifiers, value. */
const eightDeep =
  '{ persons(first: 1) { nodes { cases { case { persons { person { identifiers { value } } } } } } } }'
const nineDeep =
  '{ persons(first: 1) { nodes { cases { case { persons { person { cases { case { id } } } } } } } } }'

describe(`GraphQL document limits on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let token: string
  beforeAll(async () => {
    node = await buildTestApp({
      config: { graphql: { maxDepth: 8, maxAliases: 5, maxCost: 5_000, maxTokens: 400, maxPageSize: 100 } },
    })
    token = await node.token('liaison')
  })
  afterAll(async () => {
    await node?.close()
  })

  it('runs an ordinary query within every limit', async () => {
    const answer = await post(node, token, {
      query: '{ persons(first: 20) { nodes { id identifiers { kind value } } pageInfo { hasNextPage } } }',
    })
    expect(answer.body.errors).toBeUndefined()
    expect(answer.status).toBe(200)
  })

  it('refuses a query nested deeper than graphql.maxDepth with QUERY_TOO_DEEP', async () => {
    expect(codes(await post(node, token, { query: eightDeep }))).toBeUndefined()
    const tooDeep = await post(node, token, { query: nineDeep })
    expect(tooDeep.status).toBe(400)
    expect(tooDeep.body.data).toBeUndefined()
    expect(codes(tooDeep)).toEqual(['QUERY_TOO_DEEP'])
    expect(tooDeep.body.errors?.[0]?.extensions).toMatchObject({ limit: 8, found: 9 })
  })

  it('counts depth through fragments, without counting the fragments themselves', async () => {
    const viaFragments = await post(node, token, {
      query: `
        query { persons(first: 1) { nodes { ...PersonCases } } }
        fragment PersonCases on Person { cases { case { persons { person { ...Deeper } } } } }
        fragment Deeper on Person { cases { case { persons { person { id } } } } }`,
    })
    expect(codes(viaFragments)).toContain('QUERY_TOO_DEEP')
    const shallowFragment = await post(node, token, {
      query: 'query { persons(first: 1) { nodes { ...Ids } } } fragment Ids on Person { id externalRef }',
    })
    expect(codes(shallowFragment)).toBeUndefined()
  })

  it('refuses more aliases than graphql.maxAliases with TOO_MANY_ALIASES', async () => {
    const aliased = (count: number) =>
      `{ ${Array.from({ length: count }, (_, index) => `p${index}: persons(first: 1) { pageInfo { hasNextPage } }`).join(' ')} }`
    expect(codes(await post(node, token, { query: aliased(5) }))).toBeUndefined()
    const answer = await post(node, token, { query: aliased(6) })
    expect(answer.status).toBe(400)
    expect(codes(answer)).toEqual(['TOO_MANY_ALIASES'])
  })

  it('prices lists by their page size: a wide query is refused with QUERY_TOO_COMPLEX', async () => {
    const wide = `{ persons(first: 100) { nodes { id
      identifiers { kind value }
      cases { role case { id title persons { role person { id } } } } } } }`
    const answer = await post(node, token, { query: wide })
    expect(answer.status).toBe(400)
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX'])
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 5_000 })
    const narrow = await post(node, token, { query: wide.replace('first: 100', 'first: 1') })
    expect(codes(narrow)).toBeUndefined()
  })

  it('prices a page size given as a variable at the largest page, whatever the variables say', async () => {
    const query = `query Wide($first: Int) { persons(first: $first) { nodes { id
      cases { case { id persons { person { id identifiers { value } } } } } } } }`
    const answer = await post(node, token, { query, variables: { first: 1 } })
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX'])
  })

  it('stops parsing a token flood at graphql.maxTokens with TOO_MANY_TOKENS', async () => {
    const flood = `{ persons(first: 1) { nodes { ${'id '.repeat(500)} } } }`
    const answer = await post(node, token, { query: flood })
    expect(answer.status).toBe(400)
    expect(codes(answer)).toEqual(['TOO_MANY_TOKENS'])
  })

  it('refuses a query sent as a JSON-encoded AST (mercurius would validate it without a token count)', async () => {
    const ast = JSON.stringify({ kind: 'Document', definitions: [] })
    for (const query of [ast, 'true', '[1]']) {
      const answer = await post(node, token, { query })
      expect(answer.status).toBe(400)
      expect(codes(answer)).toEqual(['GRAPHQL_PARSE_FAILED'])
    }
  })
})

describe(`GraphQL transport rules on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let token: string
  beforeAll(async () => {
    node = await buildTestApp({ config: { http: { bodyLimitBytes: 4_096 } } })
    token = await node.token('liaison')
  })
  afterAll(async () => {
    await node?.close()
  })

  it('refuses a batched request (an array of operations) with BATCHING_DISABLED', async () => {
    const answer = await post(node, token, [{ query: '{ __typename }' }, { query: '{ __typename }' }])
    expect(answer.status).toBe(400)
    expect(codes(answer)).toEqual(['BATCHING_DISABLED'])
  })

  it('refuses a request a browser could send cross-site (a simple content type, no header) with CSRF_REJECTED', async () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const answer = await post(node, token, JSON.stringify({ query: '{ __typename }' }), {
        'content-type': contentType,
      })
      expect(answer.status, contentType).toBe(400)
      expect(codes(answer), contentType).toEqual(['CSRF_REJECTED'])
    }
  })

  it('accepts a JSON body, and a simple content type that carries the preflight header', async () => {
    expect((await post(node, token, { query: '{ __typename }' })).body).toEqual({
      data: { __typename: 'Query' },
    })
    const withHeader = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/graphql',
        'mercurius-require-preflight': 'true',
      },
      payload: '{ __typename }',
    })
    expect(withHeader.json()).toEqual({ data: { __typename: 'Query' } })
  })

  it('answers GET with METHOD_NOT_ALLOWED: queries travel in the body, never in URLs', async () => {
    const response = await node.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('{ __typename }')}`,
      headers: { authorization: `Bearer ${token}`, 'x-mercurius-operation-name': 'probe' },
    })
    expect(response.statusCode).toBe(405)
    expect(response.headers.allow).toBe('POST')
    expect(response.json().errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED')
  })

  it('refuses a body over http.bodyLimitBytes with PAYLOAD_TOO_LARGE', async () => {
    const query = `{ persons(filter: { name: "${'x'.repeat(5_000)}" }) { nodes { id } } }`
    const answer = await post(node, token, { query })
    expect(answer.status).toBe(413)
    expect(codes(answer)).toEqual(['PAYLOAD_TOO_LARGE'])
  })

  it('refuses a body that is not JSON, or holds no query, with BAD_REQUEST', async () => {
    expect(codes(await post(node, token, '{"query": '))).toEqual(['BAD_REQUEST'])
    expect(codes(await post(node, token, {}))).toEqual(['BAD_REQUEST'])
    expect(codes(await post(node, token, { query: { text: '{ __typename }' } }))).toEqual(['BAD_REQUEST'])
  })
})
