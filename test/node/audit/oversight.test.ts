/**
 * Oversight of the audit trail: `auditEvents` (GraphQL) and `GET /api/v1/audit/events` (REST) for
 * principals with `audit:read`, by request id, subject, record and time, newest first, paged; and
 * nobody else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { type Json, rest } from '../rest/client.ts'

const eventFields = `seq requestId recordedAt node direction principal { kind agency subject roles } purpose
  caseReference operationKind operationName outcome reasonCode httpStatus recordIds fieldsWithheld { path rule }
  peers { agency status latencyMs code } policyVersion policyHash documentDigest variablesDigest responseDigest
  responseBytes receipt rowHash prevHash`

describe(`audit oversight on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let admin: string
  let person: Json
  const started = new Date(Date.now() - 1_000).toISOString()

  async function graphql(token: string, query: string, variables: Json = {}) {
    const response = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ query, variables }),
    })
    return { status: response.statusCode, body: response.json() }
  }

  // `first` is written into the document: a page size given as a variable is priced at the maximum.
  const events = (token: string, filter: Json, first = 20, after?: string) =>
    graphql(
      token,
      `query($filter: AuditEventFilter, $after: Cursor) {
        auditEvents(filter: $filter, first: ${first}, after: $after) { nodes { ${eventFields} } pageInfo { hasNextPage endCursor } }
      }`,
      { filter, ...(after ? { after } : {}) },
    )

  beforeAll(async () => {
    node = await buildTestApp()
    admin = await node.token('admin', { subject: 'auditor-1' })
    const system = await node.token('system', { subject: 'records-system' })
    const created = await rest(node, system, 'POST', '/api/v1/persons', {
      externalRef: 'OVERSIGHT-1',
      names: [{ fullName: 'Aung Kyaw' }],
    })
    expect(created.status).toBe(201)
    person = created.body
    const officer = await node.token('liaison', {
      subject: 'officer-9',
      purpose: 'RESCUE',
      caseRef: 'HK-RQ-77',
    })
    for (let index = 0; index < 3; index++) {
      const read = await node.app.inject({
        method: 'GET',
        url: `/api/v1/persons/${person.id}`,
        headers: { authorization: `Bearer ${officer}`, 'x-request-id': `oversight-read-${index}` },
      })
      expect(read.statusCode).toBe(200)
    }
  })

  afterAll(async () => {
    await node?.close()
  })

  it('finds who read a record, for what purpose and case, newest first', async () => {
    const answer = await events(admin, { recordId: person.id, subject: 'officer-9' })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const nodes = answer.body.data.auditEvents.nodes as Json[]
    expect(nodes.map((event) => event.requestId)).toEqual([
      'oversight-read-2',
      'oversight-read-1',
      'oversight-read-0',
    ])
    expect(nodes[0]).toMatchObject({
      node: 'TH-RTP',
      direction: 'LOCAL',
      principal: { kind: 'officer', agency: 'TH-RTP', subject: 'officer-9', roles: ['liaison'] },
      purpose: 'RESCUE',
      caseReference: 'HK-RQ-77',
      operationKind: 'REST_READ',
      operationName: 'GET /api/v1/persons/:id',
      outcome: 'ALLOWED',
      httpStatus: 200,
      recordIds: [person.id],
      peers: [],
    })
    expect(nodes[0].seq).toBeGreaterThan(nodes[1].seq)
  })

  it('pages with a cursor, filters by time, request id and outcome, and refuses a forged cursor', async () => {
    const first = await events(admin, { from: started }, 2)
    const page = first.body.data.auditEvents
    expect(page.nodes).toHaveLength(2)
    expect(page.pageInfo.hasNextPage).toBe(true)
    const second = await events(admin, { from: started }, 2, page.pageInfo.endCursor)
    expect(second.body.data.auditEvents.nodes[0].seq).toBe(page.nodes[1].seq - 1)

    const byRequest = await events(admin, { requestId: 'oversight-read-1' })
    expect(byRequest.body.data.auditEvents.nodes).toHaveLength(1)
    expect((await events(admin, { to: started })).body.data.auditEvents.nodes).toEqual([])
    expect((await events(admin, { outcome: 'DENIED' })).body.data.auditEvents.nodes).toEqual([])

    const forged = await events(admin, {}, 2, Buffer.from('["audit",-1]').toString('base64url'))
    expect(forged.status).toBe(400)
    expect(forged.body.errors[0].extensions.code).toBe('INVALID_CURSOR')
    const tooMany = await graphql(admin, '{ auditEvents(first: 101) { nodes { seq } } }')
    expect(tooMany.body.errors[0].extensions.code).toBe('PAGE_TOO_LARGE')
  })

  it('answers the same rows over REST', async () => {
    const viaGraphql = (await events(admin, { recordId: person.id })).body.data.auditEvents
    const viaRest = await rest(
      node,
      admin,
      'GET',
      `/api/v1/audit/events?recordId=${encodeURIComponent(person.id)}&first=20`,
    )
    expect(viaRest.status).toBe(200)
    expect(viaRest.body).toEqual(viaGraphql)
    const bad = await rest(node, admin, 'GET', '/api/v1/audit/events?direction=SIDEWAYS')
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED'])
  })

  it('is for audit:read only: record readers and the secretariat are refused, and the refusal is audited', async () => {
    for (const role of ['liaison', 'system', 'secretariat'] as const) {
      const token = await node.token(role, { subject: `no-audit-${role}` })
      const answer = await events(token, {})
      expect(answer.status, role).toBe(403)
      expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN')
      expect(JSON.stringify(answer.body)).not.toContain('officer-9')
      const viaRest = await rest(node, token, 'GET', '/api/v1/audit/events')
      expect(viaRest.status, role).toBe(403)
    }
    const refused = await events(admin, { subject: 'no-audit-liaison', outcome: 'DENIED' })
    expect(refused.body.data.auditEvents.nodes.map((event: Json) => event.reasonCode)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
    ])
  })
})
