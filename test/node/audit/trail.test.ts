/**
 * The audit trail through the front door: every request to a record route leaves one row,
 * committed before the response, with who asked, what was asked, what was disclosed and what came
 * back; writes commit with their row or not at all; refused requests are audited too; and when the
 * row cannot be written the request fails with 503 AUDIT_UNAVAILABLE and no data (fail closed).
 */
import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { holdTransaction } from '../../../db/held-transaction.ts'
import { buildApp } from '../../../services/node/app.ts'
import { isAuditedPath } from '../../../services/node/audit/index.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { queryRows } from '../../support/rows.ts'
import { demoPolicyText } from '../policy/documents.ts'
import { buildPeerViewApp, type PeerViewApp } from '../policy/peer-app.ts'
import { type Json, rest } from '../rest/client.ts'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

interface Row extends Record<string, unknown> {
  seq: number
  request_id: string
  operation_kind: string
  operation_name: string | null
  outcome: string
  reason_code: string | null
  http_status: number
  record_ids: string[]
  principal_subject: string | null
  principal_roles: string[]
  fields_withheld: { path: string; rule: string }[]
  document_digest: string | null
  variables_digest: string | null
  response_digest: string | null
  response_bytes: number | null
  policy_hash: string | null
}

describe(`the audit trail on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let system: string
  let liaison: string

  beforeAll(async () => {
    node = await buildTestApp({ config: { audit: { appendTimeoutMs: 500 } } })
    system = await node.token('system', { subject: 'records-system' })
    liaison = await node.token('liaison', {
      subject: 'officer-7',
      purpose: 'INVESTIGATION',
      caseRef: 'TH-2026-001',
    })
  })

  afterAll(async () => {
    await node?.close()
  })

  beforeEach(async () => {
    await node.database.reset()
  })

  const rows = (requestId: string) =>
    queryRows<Row>(node.database, sql`SELECT * FROM audit_log WHERE request_id = ${requestId} ORDER BY seq`)

  const graphql = (
    token: string | undefined,
    query: string,
    variables?: Json,
    requestId: string = crypto.randomUUID() as string,
  ) =>
    node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      payload: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    })

  async function createPerson(externalRef: string, extra: Json = {}): Promise<Json> {
    const created = await rest(node, system, 'POST', '/api/v1/persons', {
      externalRef,
      names: [{ fullName: 'Somchai Jaidee' }],
      nationality: 'TH',
      dateOfBirth: '1990-04-02',
      ...extra,
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body
  }

  it('audits every route that reaches records: GraphQL and every REST route', () => {
    expect(node.app.restRoutes.length).toBeGreaterThan(10)
    for (const route of node.app.restRoutes)
      expect(route.config.audited, `${route.method} ${route.url}`).toBe(true)
    expect(node.app.hasRoute({ method: 'POST', url: '/graphql' })).toBe(true)
    expect(isAuditedPath('/graphql')).toBe(true)
    expect(isAuditedPath('/health/ready')).toBe(false)
  })

  it('records a read with its principal, digests, disclosed records and the response digest', async () => {
    const person = await createPerson('AUD-READ-1')
    const query =
      'query Lookup($id: ID!) { record(id: $id) { ... on Person { id primaryName { fullName } } } }'
    const variables = { id: person.id }
    const response = await graphql(liaison, query, variables, 'audit-read-0001')
    expect(response.statusCode, response.body).toBe(200)

    const [row, ...more] = await rows('audit-read-0001')
    expect(more).toEqual([])
    expect(row).toMatchObject({
      operation_kind: 'QUERY',
      operation_name: 'Lookup',
      outcome: 'ALLOWED',
      http_status: 200,
      record_ids: [person.id],
      principal_subject: 'officer-7',
      principal_roles: ['liaison'],
      purpose: 'INVESTIGATION',
      case_reference: 'TH-2026-001',
      direction: 'LOCAL',
      node: 'TH-RTP',
      document_digest: sha256(query),
      response_digest: sha256(response.body),
      response_bytes: Buffer.byteLength(response.body),
      policy_hash: node.app.policy.hash,
    })
    expect(row?.variables_digest).toMatch(/^[0-9a-f]{64}$/)
    expect((await node.app.audit.verify()).ok).toBe(true)
  })

  it('commits a write and its row together: one row per request, naming the record written', async () => {
    const answer = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        authorization: `Bearer ${system}`,
        'content-type': 'application/json',
        'x-request-id': 'audit-write-001',
      },
      payload: JSON.stringify({
        query:
          'mutation { createPerson(input: { externalRef: "AUD-WRITE-1", names: [{ fullName: "Nguyen Van An" }] }) { id } }',
      }),
    })
    expect(answer.statusCode, answer.body).toBe(200)
    const id = answer.json().data.createPerson.id
    const [row, ...more] = await rows('audit-write-001')
    expect(more).toEqual([])
    expect(row).toMatchObject({ operation_kind: 'MUTATION', outcome: 'ALLOWED', record_ids: [id] })

    const restWrite = await node.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: {
        authorization: `Bearer ${system}`,
        'content-type': 'application/json',
        'x-request-id': 'audit-write-002',
      },
      payload: JSON.stringify({
        externalRef: 'AUD-CASE-1',
        title: 'Job scam compound',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        country: 'TH',
        openedOn: '2026-01-04',
      }),
    })
    expect(restWrite.statusCode, restWrite.body).toBe(201)
    expect(await rows('audit-write-002')).toMatchObject([
      {
        operation_kind: 'REST_WRITE',
        operation_name: 'POST /api/v1/cases',
        record_ids: [restWrite.json().id],
      },
    ])
  })

  it('audits refused requests: no token, a missing scope, a bad input', async () => {
    const anonymous = await graphql(undefined, '{ persons { nodes { id } } }', undefined, 'audit-denied-01')
    expect(anonymous.statusCode).toBe(401)
    expect(await rows('audit-denied-01')).toMatchObject([
      { outcome: 'DENIED', reason_code: 'UNAUTHENTICATED', http_status: 401, principal_subject: null },
    ])

    const noScope = await node.app.inject({
      method: 'POST',
      url: '/api/v1/persons',
      headers: {
        authorization: `Bearer ${liaison}`,
        'content-type': 'application/json',
        'x-request-id': 'audit-denied-02',
      },
      payload: JSON.stringify({ externalRef: 'X', names: [{ fullName: 'X' }] }),
    })
    expect(noScope.statusCode).toBe(403)
    expect(await rows('audit-denied-02')).toMatchObject([
      { outcome: 'DENIED', reason_code: 'FORBIDDEN', principal_subject: 'officer-7', record_ids: [] },
    ])

    const bad = await graphql(
      liaison,
      '{ persons(first: 500) { nodes { id } } }',
      undefined,
      'audit-failed-01',
    )
    expect(bad.statusCode).toBe(400)
    expect(await rows('audit-failed-01')).toMatchObject([
      { outcome: 'FAILED', reason_code: 'PAGE_TOO_LARGE' },
    ])
  })

  it('rolls a write back with its row when the row cannot be written, and answers 503 without data', async () => {
    await node.database.db.execute(sql`ALTER TABLE audit_log RENAME TO audit_log_away`)
    try {
      const answer = await node.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { authorization: `Bearer ${system}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          query:
            'mutation { createPerson(input: { externalRef: "AUD-LOST-1", names: [{ fullName: "Lost Write" }] }) { id primaryName } }',
        }),
      })
      expect(answer.statusCode).toBe(503)
      expect(answer.json()).toEqual({
        errors: [
          {
            message: expect.any(String),
            extensions: { code: 'AUDIT_UNAVAILABLE', requestId: expect.any(String) },
          },
        ],
      })
      expect(answer.body).not.toContain('Lost Write')

      const read = await rest(node, system, 'GET', '/api/v1/persons')
      expect(read.status).toBe(503)
      expect(read.body).toEqual({
        code: 'AUDIT_UNAVAILABLE',
        message: expect.any(String),
        requestId: expect.any(String),
      })
    } finally {
      await node.database.db.execute(sql`ALTER TABLE audit_log_away RENAME TO audit_log`)
    }
    const persons = await queryRows(
      node.database,
      sql`SELECT id FROM persons WHERE external_ref = 'AUD-LOST-1'`,
    )
    expect(persons).toEqual([])
    expect((await node.app.audit.verify()).ok).toBe(true)
  })
})

describe(`withheld fields in the audit trail on ${testDatabaseLabel()}`, () => {
  let node: PeerViewApp

  beforeAll(async () => {
    node = await buildPeerViewApp(demoPolicyText('TH-RTP'))
  })

  afterAll(async () => {
    await node?.close()
  })

  it('records the fields the policy withheld from a peer, by path and rule, never their values', async () => {
    const system = await node.token('system')
    const created = await node.app.inject({
      method: 'POST',
      url: '/api/v1/persons',
      headers: { authorization: `Bearer ${system}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        externalRef: 'AUD-WITHHELD-1',
        names: [{ fullName: 'Tran Thi Mai' }],
        nationality: 'VN',
        dateOfBirth: '1998-07-21',
        notes: 'Sister paid ransom via wallet KX77',
        identifiers: [{ kind: 'PHONE', value: '+84 91 234 5678' }],
      }),
    })
    expect(created.statusCode, created.body).toBe(201)
    const linked = await node.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${system}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        externalRef: 'AUD-WITHHELD-CASE',
        title: 'Recruitment for a compound',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        country: 'TH',
        openedOn: '2026-02-01',
        persons: [{ personId: created.json().id, role: 'VICTIM' }],
      }),
    })
    expect(linked.statusCode, linked.body).toBe(201)
    const response = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        authorization: `Bearer ${await node.token('liaison')}`,
        'content-type': 'application/json',
        'x-request-id': 'audit-withheld-01',
        'x-test-peer': JSON.stringify({ agency: 'VN-MPS', purpose: 'INVESTIGATION' }),
      },
      payload: JSON.stringify({ query: '{ persons(first: 5) { nodes { id dateOfBirth notes } } }' }),
    })
    expect(response.statusCode, response.body).toBe(200)
    const withheld = response.json().extensions?.withheld as Json[]
    expect(withheld.length).toBeGreaterThan(0)
    const [row] = await queryRows<Row>(
      node.database,
      sql`SELECT * FROM audit_log WHERE request_id = 'audit-withheld-01'`,
    )
    expect(row?.fields_withheld).toEqual(withheld.map(({ path, rule }) => ({ path, rule })))
    expect(row).toMatchObject({
      principal_agency: 'VN-MPS',
      principal_kind: 'peer',
      purpose: 'INVESTIGATION',
    })
    expect(JSON.stringify(row)).not.toContain('1998-07-21')
    expect(JSON.stringify(row)).not.toContain('KX77')
  })
})

describe(`an audit store locked past the deadline on ${testDatabaseLabel()}`, () => {
  it('fails the request with 503 AUDIT_UNAVAILABLE and sends none of the data', async () => {
    const base = await buildTestApp()
    const config = { ...base.config, audit: { ...base.config.audit, appendTimeoutMs: 300 } }
    const app = await buildApp(config, { database: base.database })
    // Another session takes the chain head's lock just as the response is about to be audited.
    let release: (() => Promise<void>) | undefined
    app.addHook('preSerialization', async (request, _reply, payload) => {
      if (request.headers['x-lock-audit'] !== 'yes') return payload
      const held = await holdTransaction(base.database.db)
      await held.db.execute(sql`SELECT seq FROM audit_chain_head WHERE id = 1 FOR UPDATE`)
      release = () => held.rollback()
      return payload
    })
    await app.ready()
    try {
      const created = await rest(base, await base.token('system'), 'POST', '/api/v1/persons', {
        externalRef: 'AUD-LOCK-1',
        names: [{ fullName: 'Locked Person' }],
      })
      expect(created.status).toBe(201)
      const started = Date.now()
      const answer = await app.inject({
        method: 'GET',
        url: '/api/v1/persons',
        headers: { authorization: `Bearer ${await base.token('system')}`, 'x-lock-audit': 'yes' },
      })
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(answer.statusCode).toBe(503)
      expect(answer.json().code).toBe('AUDIT_UNAVAILABLE')
      expect(answer.body).not.toContain('Locked Person')
    } finally {
      await release?.()
      await app.close()
      await base.close()
    }
  })
})
