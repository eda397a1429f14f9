/**
 * Deny by default on the REST API: every route under /api/v1 declares a scope (or is public), the
 * scope is enforced for each route, a token is required, and the secretariat reaches no record.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Role, roleScopes, roles, type Scope } from '../../../services/node/auth/scopes.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'

/** Every METHOD /path the router knows, from Fastify's own route tree. */
function routerRoutes(tree: string): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = []
  const stack: { depth: number; path: string }[] = []
  for (const line of tree.split('\n')) {
    const match = /^([│\s]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = (match[1] ?? '').length
    while (stack.length > 0 && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop()
    const path = `${stack.at(-1)?.path ?? ''}${match[2]}`
    stack.push({ depth, path })
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) found.push({ method, url: path })
  }
  return found
}

describe(`REST scopes on ${testDatabaseLabel()}`, () => {
  let node: TestApp

  beforeAll(async () => {
    node = await buildTestApp()
  })

  afterAll(async () => {
    await node?.close()
  })

  it('knows every /api/v1 route of the router, and each declares a scope or is public', () => {
    const declared = new Set(node.app.restRoutes.map((route) => `${route.method} ${route.url}`))
    const routed = routerRoutes(node.app.printRoutes({ commonPrefix: false })).filter((route) =>
      route.url.startsWith('/api/v1'),
    )
    expect(routed.length).toBeGreaterThanOrEqual(17)
    for (const route of routed)
      expect(declared, `${route.method} ${route.url}`).toContain(`${route.method} ${route.url}`)
    for (const route of node.app.restRoutes) {
      const { scope, public: isPublic } = route.config
      expect(scope !== undefined || isPublic === true, `${route.method} ${route.url} declares no scope`).toBe(
        true,
      )
    }
  })

  /** A request that passes validation for each route, so only the scope decides. */
  function sampleRequest(method: string, url: string) {
    const path = url.replace(':id', `TH-RTP:${randomUUID()}`)
    if (url.endsWith('/import')) {
      return { method, url: path, headers: { 'content-type': 'application/x-ndjson' }, payload: '\n' }
    }
    if (method === 'PATCH') return { method, url: path, payload: { version: 1 } }
    if (method === 'POST') return { method, url: path, payload: {} }
    return { method, url: path }
  }

  function roleWithout(scope: Scope): Role {
    const role = roles.find((candidate) => !roleScopes[candidate].includes(scope))
    if (!role) throw new Error(`every role holds ${scope}`)
    return role
  }

  function roleWith(scope: Scope): Role {
    const role = roles.find((candidate) => roleScopes[candidate].includes(scope))
    if (!role) throw new Error(`no role holds ${scope}`)
    return role
  }

  it('enforces each route’s scope, and requires a token', async () => {
    const scoped = node.app.restRoutes.filter((route) => route.config.scope !== undefined)
    expect(scoped.length).toBeGreaterThanOrEqual(17)
    for (const route of scoped) {
      const scope = route.config.scope as Scope
      const request = sampleRequest(route.method, route.url)
      const label = `${route.method} ${route.url}`
      const inject = async (token?: string) => {
        const { headers = {}, ...rest } = request as typeof request & { headers?: Record<string, string> }
        return node.app.inject({
          ...(rest as { method: 'GET'; url: string }),
          headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        })
      }

      // A HEAD answer has the status and headers of its GET, without the body.
      const code = (answer: { body: string }) =>
        route.method === 'HEAD' ? undefined : JSON.parse(answer.body).code
      const expectedCode = (value: string) => (route.method === 'HEAD' ? undefined : value)

      const anonymous = await inject()
      expect(anonymous.statusCode, label).toBe(401)
      expect(code(anonymous), label).toBe(expectedCode('UNAUTHENTICATED'))
      expect(anonymous.headers['www-authenticate'], label).toBe('Bearer realm="jaring"')

      const refused = await inject(await node.token(roleWithout(scope)))
      expect(refused.statusCode, label).toBe(403)
      expect(code(refused), label).toBe(expectedCode('FORBIDDEN'))
      expect(refused.headers['www-authenticate'], label).toContain('insufficient_scope')

      const allowed = await inject(await node.token(roleWith(scope)))
      expect([401, 403], `${label}: ${allowed.body}`).not.toContain(allowed.statusCode)
    }
  })

  it('refuses a principal without the scope before looking at its input', async () => {
    const liaison = await node.token('liaison')
    const answer = await node.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${liaison}`, 'content-type': 'application/json' },
      payload: '{"not": "valid"',
    })
    expect(answer.statusCode).toBe(403)
  })

  it('gives the secretariat no record at all', async () => {
    const secretariat = await node.token('secretariat')
    for (const path of ['cases', 'persons', 'syndicates', 'intel-reports']) {
      const list = await node.app.inject({
        url: `/api/v1/${path}`,
        headers: { authorization: `Bearer ${secretariat}` },
      })
      expect(list.statusCode, path).toBe(403)
      expect(list.body).not.toContain('nodes')
    }
  })

  it('serves the OpenAPI document and its reference page without a token', async () => {
    expect((await node.app.inject('/openapi.json')).statusCode).toBe(200)
    expect((await node.app.inject('/docs')).statusCode).toBe(200)
    expect((await node.app.inject('/docs/json')).statusCode).toBe(200)
  })
})
