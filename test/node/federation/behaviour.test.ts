/**
 * How the federation behaves between three real nodes (real HTTP, real signatures, the demo's
 * policies): the same peer answers different askers differently under its policy; `record(id)`
 * goes to the record's owner only; every node involved audits the request, and the asker's
 * receipt verifies against the answering node's row; a peer's circuit opens after failures and
 * lets one trial through after `openMs`; an asker whose agency is not on the list is refused by
 * every peer; a node whose held trust list has expired trusts no peer, on either side.
 *
 * The asker is HK-HKPF throughout (TH-RTP for the second asker). Trust lists are signed here with
 * versions above the one held, so no test's list is a rollback of another's.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedFigures } from '../../../db/seed/figures.ts'
import { schemaHash } from '../../../schema/index.ts'
import { sha256Hex } from '../../../services/node/audit/chain.ts'
import { verifyReceipt } from '../../../services/node/audit/signed.ts'
import { signPeerAssertion } from '../../../services/node/federation/assertion.ts'
import {
  createTrustList,
  signTrustList,
  type TrustMember,
} from '../../../services/node/federation/trust-list.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { queryRows } from '../../support/rows.ts'
import {
  type AgencyCode,
  type Federation,
  faultServer,
  type GraphqlAnswer,
  secretariatAgency,
  startFederation,
  type TestNode,
} from './federation-fixture.ts'

type Peers = { agency: string; status: string; code: string | null; latencyMs: number | null }[]
interface Person {
  id: string
  source: { agency: string }
  identifiers: { kind: string; value: string }[]
}
interface AuditRow extends Record<string, unknown> {
  seq: number | string
  direction: string
  principal_kind: string | null
  principal_agency: string | null
  principal_subject: string | null
  purpose: string | null
  case_reference: string | null
  operation_name: string | null
  outcome: string
  reason_code: string | null
  http_status: number
  record_ids: string[]
  peers: { agency: string; status: string; code?: string | null }[]
  variables_digest: string | null
  response_digest: string | null
  policy_version: number | null
  receipt: string | null
}

const openMs = 1_500
const caseReference = 'HKPF-TEST-2026-7'

const search = `query ($phone: String!, $purpose: Purpose!, $agencies: [AgencyCode!], $all: Boolean) {
  persons(filter: { phone: $phone }, reach: { agencies: $agencies, all: $all, purpose: $purpose, caseReference: "${caseReference}" }) {
    nodes { id source { agency } identifiers { kind value } }
    peers { agency status latencyMs code }
  }
}`

/** A valid phone number; whether anyone holds it does not matter where it is used. */
const anyPhone = sharedFigures()[0]?.phone.e164 as string

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe(`federation behaviour on ${testDatabaseLabel()}`, () => {
  let federation: Federation
  let hk: TestNode
  let th: TestNode
  let vn: TestNode

  beforeAll(async () => {
    federation = await startFederation({
      config: { federation: { circuitBreaker: { failureThreshold: 2, openMs } } },
    })
    hk = federation.nodes['HK-HKPF']
    th = federation.nodes['TH-RTP']
    vn = federation.nodes['VN-MPS']
  }, 120_000)
  afterAll(async () => {
    await federation?.close()
  })

  /**
   * Versions of the lists signed here: above the fixture's (it signs a handful), and counted here
   * because a node whose list expired reports none it could be compared with.
   */
  let signedVersion = 1_000

  /** Signs and installs a list with the given members and window on every node. */
  async function install(
    members: TrustMember[],
    window: { issuedAt?: Date; expiresAt?: Date } = {},
  ): Promise<void> {
    const list = createTrustList({
      version: ++signedVersion,
      issuedAt: window.issuedAt ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 1000),
      expiresAt: window.expiresAt ?? new Date(Date.now() + 86_400_000),
      issuer: secretariatAgency,
      members,
    })
    await writeFile(
      path.join(federation.folder, 'trust-list.jws'),
      await signTrustList(list, federation.secretariatKey),
    )
    for (const node of Object.values(federation.nodes)) {
      const outcome = await node.app.federation.trust?.reload('test')
      expect(outcome?.status, JSON.stringify(outcome)).toBe('loaded')
    }
  }
  const restore = () => install(federation.members())

  /** POST /graphql at a node as its liaison officer; the request id comes back in `x-request-id`. */
  async function ask(
    agency: AgencyCode,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ status: number; json: GraphqlAnswer; requestId: string }> {
    const node = federation.nodes[agency]
    const response = await fetch(`${node.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await node.token()}` },
      body: JSON.stringify({ query, variables }),
    })
    return {
      status: response.status,
      json: (await response.json()) as GraphqlAnswer,
      requestId: response.headers.get('x-request-id') ?? '',
    }
  }

  async function persons(agency: AgencyCode, variables: Record<string, unknown>) {
    const answer = await ask(agency, search, variables)
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    expect(answer.json.errors).toBeUndefined()
    const page = (answer.json.data as { persons: { nodes: Person[]; peers: Peers } }).persons
    return { ...page, requestId: answer.requestId }
  }

  const auditRows = (node: TestNode, requestId: string) =>
    queryRows<AuditRow>(
      node.database,
      sql`SELECT * FROM audit_log WHERE request_id = ${requestId} ORDER BY seq`,
    )

  /** A regional figure whose Thai record both askers receive when investigating. */
  async function figureSeenByBoth() {
    for (const figure of sharedFigures().filter((f) => f.agencies.includes('TH-RTP'))) {
      const variables = { phone: figure.phone.e164, purpose: 'INVESTIGATION', agencies: ['TH-RTP'] }
      const fromHk = (await persons('HK-HKPF', variables)).nodes.find((p) => p.source.agency === 'TH-RTP')
      const fromVn = (await persons('VN-MPS', variables)).nodes.find((p) => p.source.agency === 'TH-RTP')
      if (fromHk && fromVn?.identifiers.some((identifier) => identifier.kind === 'PASSPORT'))
        return { figure, fromHk, fromVn }
    }
    throw new Error('no seeded figure is released by TH to both HK and VN')
  }

  /** The demo's story: HK investigating finds a figure at both TH and VN. */
  async function storyAnswer() {
    for (const figure of sharedFigures().filter(
      (f) => f.agencies.includes('TH-RTP') && f.agencies.includes('VN-MPS'),
    )) {
      const answer = await persons('HK-HKPF', {
        phone: figure.phone.e164,
        purpose: 'INVESTIGATION',
        all: true,
      })
      const owners = new Set(answer.nodes.map((person) => person.source.agency))
      if (owners.has('TH-RTP') && owners.has('VN-MPS')) return answer
    }
    throw new Error('no seeded figure is released by both TH and VN to HK')
  }

  it('answers different askers differently under the same peer’s policy', async () => {
    const { figure, fromHk, fromVn } = await figureSeenByBoth()
    // The same Thai record reaches both ...
    expect(fromHk.id).toBe(fromVn.id)
    // ... Viet Nam (the investigation MoU) with the passport, Hong Kong (suspects' contact
    // identifiers only) without it.
    expect(fromHk.identifiers.map((identifier) => identifier.kind)).not.toContain('PASSPORT')
    expect(fromHk.identifiers.map((identifier) => identifier.kind)).toContain('PHONE')
    // Hong Kong asking to rescue gets persons at risk only: the suspect is not released at all,
    // and TH still answers.
    const rescue = await persons('HK-HKPF', {
      phone: figure.phone.e164,
      purpose: 'RESCUE',
      agencies: ['TH-RTP'],
    })
    expect(rescue.peers).toEqual([
      expect.objectContaining({ agency: 'TH-RTP', status: 'ANSWERED', code: null }),
    ])
    expect(rescue.nodes.filter((person) => person.source.agency === 'TH-RTP')).toEqual([])
  })

  it('audits a federated query on every node involved, the receipt verifying against the peer’s row', async () => {
    const answer = await storyAnswer()
    expect(answer.peers.map((peer) => [peer.agency, peer.status])).toEqual([
      ['TH-RTP', 'ANSWERED'],
      ['VN-MPS', 'ANSWERED'],
    ])
    const { requestId } = answer
    expect(requestId).not.toBe('')

    const asker = await auditRows(hk, requestId)
    const local = asker.filter((row) => row.direction === 'LOCAL')
    expect(local).toHaveLength(1)
    expect(local[0]).toMatchObject({
      principal_kind: 'officer',
      principal_agency: 'HK-HKPF',
      principal_subject: 'test-liaison',
      outcome: 'ALLOWED',
      http_status: 200,
      receipt: null,
    })
    expect(local[0]?.peers.map((peer) => [peer.agency, peer.status])).toEqual([
      ['TH-RTP', 'ANSWERED'],
      ['VN-MPS', 'ANSWERED'],
    ])

    const outbound = asker.filter((row) => row.direction === 'OUTBOUND')
    expect(outbound.map((row) => row.operation_name).sort()).toEqual(['persons@TH-RTP', 'persons@VN-MPS'])
    for (const peer of [th, vn]) {
      const row = outbound.find(
        (candidate) => candidate.operation_name === `persons@${peer.agency}`,
      ) as AuditRow
      expect(row).toMatchObject({
        principal_agency: 'HK-HKPF',
        purpose: 'INVESTIGATION',
        case_reference: caseReference,
        outcome: 'ALLOWED',
        reason_code: null,
      })
      expect(row.receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)

      // The answering node's own row for the same request id ...
      const inbound = await auditRows(peer, requestId)
      expect(inbound).toHaveLength(1)
      const released = answer.nodes.filter((person) => person.source.agency === peer.agency).map((p) => p.id)
      expect(released.length).toBeGreaterThan(0)
      expect(inbound[0]).toMatchObject({
        direction: 'INBOUND',
        principal_kind: 'peer',
        principal_agency: 'HK-HKPF',
        principal_subject: 'test-liaison',
        purpose: 'INVESTIGATION',
        case_reference: caseReference,
        outcome: 'ALLOWED',
        http_status: 200,
        policy_version: peer.app.policy.version,
        receipt: null,
      })
      expect([...(inbound[0]?.record_ids ?? [])].sort()).toEqual([...released].sort())

      // ... is what the receipt the asker keeps vouches for: the bytes HK sent (its row's
      // variables digest is the body's), the bytes the peer answered, and the peer's row.
      const receipt = await verifyReceipt(row.receipt as string, peer.federationJwks.keys, {
        issuer: peer.agency,
        audience: 'HK-HKPF',
        requestId,
        requestDigest: row.variables_digest as string,
        responseDigest: inbound[0]?.response_digest as string,
      })
      expect(receipt.seq).toBe(Number(inbound[0]?.seq))
    }
  })

  it('routes record(id) to the record’s owner only', async () => {
    const { fromHk } = await figureSeenByBoth()
    const answer = await ask(
      'HK-HKPF',
      `query ($id: ID!) { record(id: $id, reach: { all: true, purpose: INVESTIGATION }) {
        id source { agency } ... on Person { identifiers { kind } } } }`,
      { id: fromHk.id },
    )
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    expect(answer.json.data?.record).toMatchObject({ id: fromHk.id, source: { agency: 'TH-RTP' } })
    expect(await auditRows(th, answer.requestId)).toEqual([
      expect.objectContaining({ direction: 'INBOUND', outcome: 'ALLOWED', record_ids: [fromHk.id] }),
    ])
    // Viet Nam holds no record of Thailand's: it is never asked.
    expect(await auditRows(vn, answer.requestId)).toEqual([])
    expect(
      (await auditRows(hk, answer.requestId))
        .filter((row) => row.direction === 'OUTBOUND')
        .map((row) => row.operation_name),
    ).toEqual(['record@TH-RTP'])
  })

  it('carries what a peer’s policy withheld into the merged answer, placed and attributed', async () => {
    const { fromHk } = await figureSeenByBoth()
    const phone = fromHk.identifiers.find((identifier) => identifier.kind === 'PHONE')?.value as string
    const listed = await ask(
      'HK-HKPF',
      `query ($phone: String!, $agencies: [AgencyCode!]) {
        found: persons(filter: { phone: $phone }, reach: { agencies: $agencies, purpose: INVESTIGATION }) {
          list: nodes { id source { agency } born: dateOfBirth notes }
        } }`,
      { phone, agencies: ['TH-RTP'] },
    )
    expect(listed.status, JSON.stringify(listed.json)).toBe(200)
    const list = (listed.json.data as { found: { list: { id: string; notes: unknown }[] } }).found.list
    const at = list.findIndex((person) => person.id === fromHk.id)
    expect(at).toBeGreaterThanOrEqual(0)
    expect(list[at]?.notes).toBeNull()
    const withheld = (listed.json as { extensions?: { withheld?: Record<string, unknown>[] } }).extensions
      ?.withheld
    // Thailand generalises the date of birth and omits the notes it sends Hong Kong's investigators.
    expect(withheld).toEqual(
      expect.arrayContaining([
        {
          agency: 'TH-RTP',
          path: `found.list[${at}].born`,
          rule: 'generaliseYear',
          agreementId: expect.any(String),
          rulePath: 'resources.persons.fields.dateOfBirth',
        },
        expect.objectContaining({ agency: 'TH-RTP', path: `found.list[${at}].notes`, rule: 'omit' }),
      ]),
    )
    const record = await ask(
      'HK-HKPF',
      `query ($id: ID!) { one: record(id: $id, reach: { all: true, purpose: INVESTIGATION }) {
        id ... on Person { notes } } }`,
      { id: fromHk.id },
    )
    expect(record.status, JSON.stringify(record.json)).toBe(200)
    expect((record.json as { extensions?: { withheld?: unknown } }).extensions?.withheld).toEqual([
      expect.objectContaining({ agency: 'TH-RTP', path: 'one.notes', rule: 'omit' }),
    ])
  })

  it('opens a failing peer’s circuit, and lets one trial through after openMs', async () => {
    const gone = await faultServer(() => {})
    await gone.close()
    await install(federation.members({ urls: { 'VN-MPS': gone.url } }))
    const variables = { phone: anyPhone, purpose: 'INVESTIGATION', all: true }
    const vnOf = (peers: Peers) => peers.find((peer) => peer.agency === 'VN-MPS')
    try {
      // failureThreshold 2: two failures, then the circuit is open and VN is not called.
      for (let attempt = 0; attempt < 2; attempt++)
        expect(vnOf((await persons('HK-HKPF', variables)).peers)).toMatchObject({
          status: 'UNAVAILABLE',
          code: 'PEER_UNREACHABLE',
        })
      expect(hk.app.federation.client.circuit('VN-MPS')).toEqual({ open: true, failures: 2 })
      const open = await persons('HK-HKPF', variables)
      expect(vnOf(open.peers)).toEqual({
        agency: 'VN-MPS',
        status: 'UNAVAILABLE',
        latencyMs: null,
        code: 'PEER_CIRCUIT_OPEN',
      })
      expect(open.peers.find((peer) => peer.agency === 'TH-RTP')?.status).toBe('ANSWERED')
    } finally {
      await restore()
    }
    // VN is healthy again, but within openMs its circuit stays open.
    expect(vnOf((await persons('HK-HKPF', variables)).peers)?.code).toBe('PEER_CIRCUIT_OPEN')
    await sleep(openMs + 100)
    // Past openMs the trial goes through, succeeds, and closes the circuit.
    expect(vnOf((await persons('HK-HKPF', variables)).peers)).toMatchObject({
      status: 'ANSWERED',
      code: null,
    })
    expect(hk.app.federation.client.circuit('VN-MPS')).toEqual({ open: false, failures: 0 })
    expect(vnOf((await persons('HK-HKPF', variables)).peers)?.status).toBe('ANSWERED')
  })

  it('reports, at the asker, every peer refusing an issuer the trust list does not name', async () => {
    // Hong Kong is dropped from the list: its node still calls the peers the list names, and each
    // refuses an assertion from an agency it does not know.
    await install(federation.members().filter((member) => member.agency !== 'HK-HKPF'))
    try {
      const answer = await persons('HK-HKPF', { phone: anyPhone, purpose: 'INVESTIGATION', all: true })
      expect(answer.peers.map((peer) => [peer.agency, peer.status, peer.code])).toEqual([
        ['TH-RTP', 'DENIED', 'PEER_UNKNOWN_ISSUER'],
        ['VN-MPS', 'DENIED', 'PEER_UNKNOWN_ISSUER'],
      ])
      // The refusal is audited at the peer, with its code, for the asker's request id.
      expect(await auditRows(th, answer.requestId)).toEqual([
        expect.objectContaining({
          direction: 'INBOUND',
          outcome: 'DENIED',
          reason_code: 'PEER_UNKNOWN_ISSUER',
        }),
      ])
    } finally {
      await restore()
    }
  })

  it('trusts no peer, asking or answering, once the list it holds has expired', async () => {
    // Accepted now (within the 60 s tolerance), expired for good 2 s later.
    const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000)
    await install(federation.members(), { issuedAt, expiresAt: new Date(Date.now() - 58_000) })
    try {
      await sleep(2_500)
      // The asker: Thailand is no peer any more, so it is not called.
      const answer = await persons('HK-HKPF', {
        phone: anyPhone,
        purpose: 'INVESTIGATION',
        agencies: ['TH-RTP'],
      })
      expect(answer.peers).toEqual([
        { agency: 'TH-RTP', status: 'UNAVAILABLE', latencyMs: null, code: 'PEER_NOT_TRUSTED' },
      ])
      // The answering side: a well-signed assertion from Hong Kong, sent straight to Thailand.
      const body = JSON.stringify({ query: '{ persons(first: 1) { nodes { id } } }' })
      const assertion = await signPeerAssertion(hk.federationKey, {
        issuer: 'HK-HKPF',
        audience: 'TH-RTP',
        principal: await hk.app.tokenVerifier.verify(await hk.token()),
        purpose: 'INVESTIGATION',
        bodyDigest: sha256Hex(body),
        lifetimeSeconds: 60,
      })
      const response = await fetch(`${th.url}/federation/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${assertion}`,
          'jaring-schema': schemaHash,
        },
        body,
      })
      expect(response.status).toBe(401)
      const json = (await response.json()) as GraphqlAnswer
      expect(json.errors?.[0]?.extensions?.code).toBe('PEER_UNKNOWN_ISSUER')
      expect(json).not.toHaveProperty('data')
    } finally {
      await restore()
    }
    // A fresh list brings the peers back.
    const back = await persons('HK-HKPF', {
      phone: anyPhone,
      purpose: 'INVESTIGATION',
      agencies: ['TH-RTP'],
    })
    expect(back.peers).toEqual([expect.objectContaining({ agency: 'TH-RTP', status: 'ANSWERED' })])
  })
})
