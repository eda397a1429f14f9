/**
 * Statistics across three real nodes: the secretariat's token at Thailand's node asks every agency
 * (purpose STATISTICS); each node counts and suppresses its own records under its policy (Hong
 * Kong's minimum cell is 10, the members' 5), the asker checks each table and merges them. A peer
 * assertion of a statistics token carries `stats:read` only, so the peer answers it nothing else.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaHash } from '../../../schema/index.ts'
import { sha256Hex } from '../../../services/node/audit/chain.ts'
import { signReceipt } from '../../../services/node/audit/signed.ts'
import { signPeerAssertion } from '../../../services/node/federation/assertion.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { queryRows } from '../../support/rows.ts'
import { type AgencyCode, type Federation, faultServer, startFederation } from './federation-fixture.ts'

interface Cell {
  measure: string
  agency: string | null
  crimeCategory: string | null
  value: number | null
  suppressed: boolean
  complete: boolean
}
interface Total {
  measure: string
  value: number
  includesSuppressed: boolean
  complete: boolean
  suppressedCells: number
}
interface Answer {
  tables: { agency: string; minimumCell: number; cells: Cell[]; totals: Total[] }[]
  merged: { agencies: string[]; cells: Cell[]; totals: Total[] }
  peers: { agency: string; status: string; code: string | null }[]
}

const statistics = `query ($groupBy: [StatisticsDimension!], $reach: Reach) {
  statistics(measures: [CASES_OPENED, VICTIMS], groupBy: $groupBy, reach: $reach) {
    tables { agency minimumCell cells { measure agency crimeCategory value suppressed complete }
      totals { measure value includesSuppressed complete suppressedCells } }
    merged { agencies cells { measure agency crimeCategory value suppressed complete }
      totals { measure value includesSuppressed complete suppressedCells } }
    peers { agency status code }
  } }`

describe(`federated statistics on ${testDatabaseLabel()}`, () => {
  let federation: Federation
  beforeAll(async () => {
    federation = await startFederation({ seedCases: 2_000 })
  }, 120_000)
  afterAll(async () => {
    await federation?.close()
  })

  async function ask(variables: Record<string, unknown>, agency: AgencyCode = 'TH-RTP') {
    const node = federation.nodes[agency]
    const response = await fetch(`${node.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await node.token('secretariat')}`,
      },
      body: JSON.stringify({ query: statistics, variables }),
    })
    return {
      status: response.status,
      json: (await response.json()) as { data?: { statistics: Answer }; errors?: unknown[] },
      requestId: response.headers.get('x-request-id') ?? '',
    }
  }

  it('gives the secretariat one merged table of all three agencies, each suppressed at home', async () => {
    const answer = await ask({ groupBy: ['CRIME_CATEGORY'], reach: { all: true } })
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    const result = answer.json.data?.statistics as Answer
    expect(result.peers).toEqual([
      { agency: 'HK-HKPF', status: 'ANSWERED', code: null },
      { agency: 'VN-MPS', status: 'ANSWERED', code: null },
    ])
    expect(result.tables.map((table) => [table.agency, table.minimumCell])).toEqual([
      ['HK-HKPF', 10],
      ['TH-RTP', 5],
      ['VN-MPS', 5],
    ])
    for (const table of result.tables) {
      for (const cell of table.cells) {
        if (cell.suppressed) expect(cell.value).toBeNull()
        else expect(cell.value).toBeGreaterThanOrEqual(table.minimumCell)
      }
    }
    expect(result.merged.agencies).toEqual(['HK-HKPF', 'TH-RTP', 'VN-MPS'])
    // Each merged cell is the sum of the agencies' released values for its key, incomplete when
    // any agency's part was suppressed.
    for (const cell of result.merged.cells) {
      const parts = result.tables.flatMap((table) =>
        table.cells.filter(
          (part) => part.measure === cell.measure && part.crimeCategory === cell.crimeCategory,
        ),
      )
      const released = parts.filter((part) => part.value !== null)
      expect(cell.value).toBe(
        released.length ? released.reduce((sum, part) => sum + (part.value ?? 0), 0) : null,
      )
      expect(cell.complete).toBe(parts.every((part) => part.complete))
    }
    expect(result.merged.cells.some((cell) => !cell.complete)).toBe(true)
    for (const total of result.merged.totals) {
      const cells = result.merged.cells.filter((cell) => cell.measure === total.measure)
      expect(total).toEqual({
        measure: total.measure,
        value: cells.reduce((sum, cell) => sum + (cell.value ?? 0), 0),
        includesSuppressed: false,
        complete: cells.every((cell) => cell.complete),
        suppressedCells: cells.filter((cell) => !cell.complete).length,
      })
    }
    const opened = result.merged.totals.find((total) => total.measure === 'CASES_OPENED')
    expect(opened?.value).toBeGreaterThan(0)
  })

  it('keeps the agencies apart when grouped by agency, and asks no one without a reach', async () => {
    const byAgency = await ask({ groupBy: ['AGENCY'], reach: { agencies: ['VN-MPS'] } })
    const result = byAgency.json.data?.statistics as Answer
    expect(result.merged.cells.map((cell) => [cell.measure, cell.agency])).toEqual([
      ['CASES_OPENED', 'TH-RTP'],
      ['CASES_OPENED', 'VN-MPS'],
      ['VICTIMS', 'TH-RTP'],
      ['VICTIMS', 'VN-MPS'],
    ])
    const home = await ask({ groupBy: ['AGENCY'] })
    const local = home.json.data?.statistics as Answer
    expect(local.peers).toEqual([])
    expect(local.merged.agencies).toEqual(['TH-RTP'])
  })

  it('serves the federated table as CSV: every agency’s lines, the merged ones and each peer', async () => {
    const th = federation.nodes['TH-RTP']
    const csv = async (query: string) => {
      const response = await fetch(`${th.url}/api/v1/statistics.csv?${query}`, {
        headers: { authorization: `Bearer ${await th.token('secretariat')}` },
      })
      return { status: response.status, text: await response.text() }
    }
    const answer = await csv('measures=CASES_OPENED&groupBy=YEAR&reach=all')
    expect(answer.status, answer.text).toBe(200)
    const rows = answer.text
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','))
    const kinds = new Set(rows.slice(1).map((row) => `${row[0]} ${row[1]}`))
    for (const kind of [
      'cell HK-HKPF',
      'cell TH-RTP',
      'cell VN-MPS',
      'total HK-HKPF',
      'merged ',
      'merged-total ',
    ])
      expect(kinds, kind).toContain(kind)
    expect(rows.filter((row) => row[0] === 'peer')).toEqual([
      ['peer', 'HK-HKPF', '', '', '', '', '', 'ANSWERED', '', '', '', ''],
      ['peer', 'VN-MPS', '', '', '', '', '', 'ANSWERED', '', '', '', ''],
    ])
    const bad = await csv('measures=CASES_OPENED&reach=th-rtp')
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('refuses another purpose for statistics', async () => {
    const answer = await ask({ reach: { all: true, purpose: 'INVESTIGATION' } })
    expect(answer.json.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'VALIDATION_FAILED', path: 'reach.purpose' }),
      }),
    ])
  })

  it('audits the question on every node, listing no record', async () => {
    const answer = await ask({ reach: { all: true } })
    expect(answer.status).toBe(200)
    for (const agency of ['HK-HKPF', 'VN-MPS'] as const) {
      const rows = await queryRows<{ direction: string; purpose: string; record_ids: string[] }>(
        federation.nodes[agency].database,
        sql`SELECT direction, purpose, record_ids FROM audit_log WHERE request_id = ${answer.requestId}`,
      )
      expect(rows).toEqual([{ direction: 'INBOUND', purpose: 'STATISTICS', record_ids: [] }])
    }
    const asker = await queryRows<{ direction: string; operation_name: string | null }>(
      federation.nodes['TH-RTP'].database,
      sql`SELECT direction, operation_name FROM audit_log WHERE request_id = ${answer.requestId} ORDER BY seq`,
    )
    expect(asker.map((row) => row.direction).sort()).toEqual(['LOCAL', 'OUTBOUND', 'OUTBOUND'])
  })

  it('drops a peer’s table that breaks the protocol’s promises, and keeps the others', async () => {
    const vn = federation.nodes['VN-MPS']
    // A table under Viet Nam's name and key, with a valid receipt, that releases a count under
    // its own minimum.
    const liar = await faultServer(async (request, response, body) => {
      const tables = [
        {
          agency: 'VN-MPS',
          minimumCell: 5,
          cells: [
            {
              measure: 'CASES_OPENED',
              agency: null,
              crimeCategory: null,
              month: null,
              year: null,
              nationality: null,
              status: null,
              value: 2,
              suppressed: false,
              complete: true,
            },
          ],
          totals: [
            {
              measure: 'CASES_OPENED',
              value: 2,
              includesSuppressed: false,
              complete: true,
              suppressedCells: 0,
            },
            { measure: 'VICTIMS', value: 0, includesSuppressed: false, complete: true, suppressedCells: 0 },
          ],
        },
      ]
      const text = JSON.stringify({ data: { result: { tables } } })
      const receipt = await signReceipt(vn.federationKey, {
        iss: 'VN-MPS',
        aud: 'TH-RTP',
        requestId: String(request.headers['x-request-id']),
        seq: 1,
        requestDigest: sha256Hex(body),
        responseDigest: sha256Hex(text),
      })
      response.writeHead(200, { 'content-type': 'application/json', 'jaring-receipt': receipt })
      response.end(text)
    })
    await federation.publish({ urls: { 'VN-MPS': liar.url } })
    try {
      const answer = await ask({ reach: { all: true } })
      const result = answer.json.data?.statistics as Answer
      expect(result.peers).toEqual([
        { agency: 'HK-HKPF', status: 'ANSWERED', code: null },
        { agency: 'VN-MPS', status: 'ERROR', code: 'PEER_RESPONSE_INVALID' },
      ])
      expect(result.tables.map((table) => table.agency)).toEqual(['HK-HKPF', 'TH-RTP'])
    } finally {
      await federation.publish()
      await liar.close()
    }
  })

  it('answers a statistics token’s assertion nothing but statistics', async () => {
    const th = federation.nodes['TH-RTP']
    const hk = federation.nodes['HK-HKPF']
    const principal = await th.app.tokenVerifier.verify(await th.token('secretariat'))
    const send = async (query: string) => {
      const body = JSON.stringify({ query })
      const assertion = await signPeerAssertion(th.federationKey, {
        issuer: 'TH-RTP',
        audience: 'HK-HKPF',
        principal,
        purpose: 'STATISTICS',
        bodyDigest: sha256Hex(body),
        lifetimeSeconds: 60,
      })
      const response = await fetch(`${hk.url}/federation/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${assertion}`,
          'jaring-schema': schemaHash,
        },
        body,
      })
      return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] }
    }
    expect((await send('{ statistics(measures: [CASES_OPENED]) { tables { agency } } }')).data).toEqual({
      statistics: { tables: [{ agency: 'HK-HKPF' }] },
    })
    for (const query of [
      '{ persons(first: 1) { nodes { id } } }',
      '{ cases(first: 1) { nodes { id } } }',
      '{ identifierHits: persons(filter: { phone: "+85291234567" }) { nodes { id } } }',
    ]) {
      expect((await send(query)).errors?.[0]?.extensions.code).toBe('FORBIDDEN')
    }
  })
})
