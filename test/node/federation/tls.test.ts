/**
 * TLS between real nodes: each listens on HTTPS with a certificate from the federation CA and
 * verifies its peers against that CA alone. A peer whose certificate another CA issued, or that
 * does not name the peer's host, costs its slice (UNAVAILABLE, PEER_CERTIFICATE_INVALID) and
 * never receives the request; the other peers' answers still arrive.
 */
import { X509Certificate } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedFigures } from '../../../db/seed/figures.ts'
import {
  createCertificateAuthority,
  issueNodeCertificate,
  maxCertificateDays,
  type PemPair,
} from '../../../services/node/federation/tls.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { type Federation, startFederation } from './federation-fixture.ts'

type Peers = { agency: string; status: string; code: string | null; latencyMs: number | null }[]

const search = `query ($phone: String!) {
  persons(filter: { phone: $phone }, reach: { all: true, purpose: INVESTIGATION }) {
    nodes { id source { agency } } peers { agency status latencyMs code } } }`

/** An HTTPS server that counts the requests that got through the handshake. */
async function httpsPeer(
  pair: PemPair,
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0
  const server: Server = createServer({ cert: pair.certPem, key: pair.keyPem }, (_request, response) => {
    requests += 1
    response.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe(`federation over TLS on ${testDatabaseLabel()}`, () => {
  const ca = createCertificateAuthority({ commonName: 'Jaring test federation CA', days: 1 })
  let federation: Federation
  beforeAll(async () => {
    federation = await startFederation({
      tls: { ca },
      config: { federation: { circuitBreaker: { failureThreshold: 1_000, openMs: 1_000 } } },
    })
  }, 120_000)
  afterAll(async () => {
    await federation?.close()
  })

  const figure = sharedFigures().find((f) => f.agencies.includes('HK-HKPF') && f.agencies.includes('VN-MPS'))

  async function peersOf(): Promise<Peers> {
    const answer = await federation.query('TH-RTP', search, { phone: figure?.phone.e164 })
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    return ((answer.json.data as Record<string, unknown>).persons as { peers: Peers }).peers
  }

  it('issues certificates that chain to the CA and name their hosts', () => {
    const node = issueNodeCertificate(ca, {
      commonName: 'TH-RTP',
      hosts: ['127.0.0.1', 'node.rtp.example.th'],
      days: 30,
    })
    const certificate = new X509Certificate(node.certPem)
    const authority = new X509Certificate(ca.certPem)
    expect(authority.ca).toBe(true)
    expect(certificate.ca).toBe(false)
    expect(certificate.checkIssued(authority)).toBe(true)
    expect(certificate.verify(authority.publicKey)).toBe(true)
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(certificate.checkHost('node.rtp.example.th')).toBe('node.rtp.example.th')
    expect(certificate.checkHost('other.example.th')).toBeUndefined()
    expect(() => createCertificateAuthority({ commonName: 'x', days: maxCertificateDays + 1 })).toThrow(
      RangeError,
    )
  })

  it('runs a federated search over HTTPS, every node on a certificate from the CA', async () => {
    for (const node of Object.values(federation.nodes)) expect(node.url.startsWith('https://')).toBe(true)
    const peers = await peersOf()
    expect(peers.map((peer) => [peer.agency, peer.status, peer.code])).toEqual([
      ['HK-HKPF', 'ANSWERED', null],
      ['VN-MPS', 'ANSWERED', null],
    ])
  })

  it.each([
    [
      'whose certificate another CA issued',
      () =>
        issueNodeCertificate(createCertificateAuthority({ commonName: 'Rogue CA', days: 1 }), {
          commonName: 'VN-MPS',
          hosts: ['127.0.0.1'],
          days: 1,
        }),
    ],
    [
      'whose certificate names another host',
      () => issueNodeCertificate(ca, { commonName: 'VN-MPS', hosts: ['node.vn.example'], days: 1 }),
    ],
    ['presenting the CA’s own certificate', () => ca],
  ] as const)('refuses a peer %s, and the others still answer', async (_name, pair) => {
    const impostor = await httpsPeer(pair())
    await federation.publish({ urls: { 'VN-MPS': impostor.url } })
    try {
      const peers = await peersOf()
      expect(peers.find((peer) => peer.agency === 'VN-MPS')).toMatchObject({
        status: 'UNAVAILABLE',
        code: 'PEER_CERTIFICATE_INVALID',
      })
      expect(peers.find((peer) => peer.agency === 'HK-HKPF')?.status).toBe('ANSWERED')
      // The handshake failed: the request (and its assertion) never reached the impostor.
      expect(impostor.requests()).toBe(0)
    } finally {
      await federation.publish()
      await impostor.close()
    }
  })
})
