/**
 * Three real nodes answer one federated search: the seeded overlaps are found at every agency that
 * holds them, each item tagged with its owner, each agency's policy deciding what it releases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedFigures } from '../../../db/seed/figures.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { parseExposition, sampleValue } from '../../support/metrics.ts'
import { type Federation, startFederation } from './federation-fixture.ts'

const search = `query ($phone: String!, $purpose: Purpose!) {
  persons(filter: { phone: $phone }, reach: { all: true, purpose: $purpose }) {
    nodes { id source { agency } status primaryName { fullName } identifiers { kind value } }
    pageInfo { hasNextPage endCursor }
    peers { agency status latencyMs code }
  }
}`

describe(`a federated search across three nodes on ${testDatabaseLabel()}`, () => {
  let federation: Federation
  beforeAll(async () => {
    federation = await startFederation()
  }, 120_000)
  afterAll(async () => {
    await federation?.close()
  })

  it('finds figures known to TH and VN at both, each answer tagged with its owner', async () => {
    const figures = sharedFigures().filter(
      (f) => f.agencies.includes('TH-RTP') && f.agencies.includes('VN-MPS'),
    )
    expect(figures.length).toBeGreaterThan(0)
    const foundAtBoth: string[] = []
    for (const figure of figures) {
      const answer = await federation.query('TH-RTP', search, {
        phone: figure.phone.e164,
        purpose: 'INVESTIGATION',
      })
      expect(answer.status, JSON.stringify(answer.json)).toBe(200)
      const persons = answer.json.data?.persons as {
        nodes: { id: string; source: { agency: string } }[]
        peers: { agency: string; status: string; code: string | null }[]
      }
      expect(persons.peers.map((peer) => [peer.agency, peer.status])).toEqual([
        ['HK-HKPF', 'ANSWERED'],
        ['VN-MPS', 'ANSWERED'],
      ])
      for (const node of persons.nodes) expect(node.id.startsWith(`${node.source.agency}:`)).toBe(true)
      const owners = new Set(persons.nodes.map((node) => node.source.agency))
      // HK's policy gives members investigating hit/no-hit only: never a record.
      expect(owners.has('HK-HKPF')).toBe(false)
      if (owners.has('TH-RTP') && owners.has('VN-MPS')) foundAtBoth.push(figure.key)
    }
    expect(foundAtBoth.length).toBeGreaterThan(0)
  })

  it("reports the trust list, each peer's circuit and every peer call in the asker's metrics", async () => {
    const th = federation.nodes['TH-RTP']
    const scrape = async () => parseExposition((await th.app.inject('/metrics')).body)
    const callsBefore = sampleValue(await scrape(), 'jaring_peer_calls_total', {
      peer: 'VN-MPS',
      status: 'ANSWERED',
    })
    const answer = await federation.query('TH-RTP', search, {
      phone: '+66800000000',
      purpose: 'INVESTIGATION',
    })
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    const samples = await scrape()
    const answered = { status: 'ANSWERED', code: '' }
    expect(sampleValue(samples, 'jaring_peer_calls_total', { peer: 'VN-MPS', ...answered })).toBe(
      (callsBefore ?? 0) + 1,
    )
    expect(sampleValue(samples, 'jaring_peer_call_duration_seconds_count', { peer: 'HK-HKPF' })).toBe(
      sampleValue(samples, 'jaring_peer_calls_total', { peer: 'HK-HKPF', ...answered }),
    )
    const held = th.app.federation.trust?.current()
    expect(sampleValue(samples, 'jaring_trust_list_version')).toBe(held?.version)
    expect(sampleValue(samples, 'jaring_trust_list_in_force')).toBe(1)
    expect(sampleValue(samples, 'jaring_trust_list_expiry_timestamp_seconds')).toBe(
      Date.parse(held?.expiresAt ?? '') / 1000,
    )
    expect(samples.filter((sample) => sample.name === 'jaring_trust_list_refused')).toEqual([])
    expect(
      samples
        .filter((sample) => sample.name === 'jaring_peer_circuit_open')
        .map((sample) => [sample.labels.peer, sample.value]),
    ).toEqual([
      ['HK-HKPF', 0],
      ['VN-MPS', 0],
    ])
  })
})
