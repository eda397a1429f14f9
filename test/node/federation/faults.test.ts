/**
 * Faults between real nodes: each misbehaving peer (a real HTTP server on loopback, or a real node
 * handed a bad assertion) gets its documented status and code, and the other peer's slice still
 * arrives. The asker is TH-RTP; HK-HKPF stays healthy while VN-MPS's place on the trust list is
 * taken by the fault.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaHash } from '../../../schema/index.ts'
import { sha256Hex } from '../../../services/node/audit/chain.ts'
import { readJwks, readPrivateSigningKey, writeSigningKeyFiles } from '../../../services/node/auth/keys.ts'
import { signPeerAssertion } from '../../../services/node/federation/assertion.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { type FaultServer, type Federation, faultServer, startFederation } from './federation-fixture.ts'

const search = `query { persons(first: 5, reach: { all: true, purpose: INVESTIGATION }) {
  nodes { id source { agency } } peers { agency status latencyMs code } } }`

type Peers = { agency: string; status: string; code: string | null; latencyMs: number | null }[]

describe(`federation faults on ${testDatabaseLabel()}`, () => {
  let federation: Federation
  const servers: FaultServer[] = []
  beforeAll(async () => {
    // The breaker would open after a few of these faults in a row: it has a test of its own.
    federation = await startFederation({
      config: { federation: { circuitBreaker: { failureThreshold: 1_000, openMs: 1_000 } } },
    })
  }, 120_000)
  afterAll(async () => {
    for (const server of servers) await server.close()
    await federation?.close()
  })

  async function withVnAt(url: string): Promise<Peers> {
    await federation.publish({ urls: { 'VN-MPS': url } })
    try {
      const answer = await federation.query('TH-RTP', search)
      expect(answer.status, JSON.stringify(answer.json)).toBe(200)
      return ((answer.json.data as Record<string, unknown>).persons as { peers: Peers }).peers
    } finally {
      await federation.publish()
    }
  }

  async function fault(handler: Parameters<typeof faultServer>[0]): Promise<FaultServer> {
    const server = await faultServer(handler)
    servers.push(server)
    return server
  }

  const vnOf = (peers: Peers) => peers.find((peer) => peer.agency === 'VN-MPS')
  const hkAnswered = (peers: Peers) =>
    expect(peers.find((peer) => peer.agency === 'HK-HKPF')?.status).toBe('ANSWERED')

  it.each([
    [
      'down',
      async () => {
        const gone = await faultServer(() => {})
        await gone.close()
        return gone.url
      },
      'UNAVAILABLE',
      'PEER_UNREACHABLE',
    ],
    ['slow past its deadline', async () => (await fault(() => {})).url, 'TIMEOUT', 'PEER_TIMEOUT'],
    [
      'dripping bytes',
      async () =>
        (
          await fault((_request, response) => {
            response.writeHead(200, { 'content-type': 'application/json' })
            const timer = setInterval(() => response.write(' '), 100)
            response.on('close', () => clearInterval(timer))
          })
        ).url,
      'TIMEOUT',
      'PEER_TIMEOUT',
    ],
    [
      'answering garbage',
      async () => (await fault((_request, response) => response.end('<html>surprise</html>'))).url,
      'ERROR',
      'PEER_RESPONSE_INVALID',
    ],
    [
      'answering too much',
      async () =>
        (
          await fault((_request, response) =>
            response.end(JSON.stringify({ data: { result: { nodes: [], padding: 'x'.repeat(400_000) } } })),
          )
        ).url,
      'ERROR',
      'PEER_RESPONSE_TOO_LARGE',
    ],
    [
      'redirecting',
      async () =>
        (
          await fault((_request, response) => {
            response.writeHead(307, { location: `${federation.nodes['VN-MPS'].url}/federation/graphql` })
            response.end()
          })
        ).url,
      'ERROR',
      'PEER_REDIRECT_REFUSED',
    ],
    [
      'answering without a receipt',
      async () =>
        (
          await fault((_request, response) =>
            response.end(
              JSON.stringify({ data: { result: { nodes: [], pageInfo: { hasNextPage: false } } } }),
            ),
          )
        ).url,
      'ERROR',
      'PEER_RECEIPT_INVALID',
    ],
  ] as const)('reports a peer %s, and the others still answer', async (_name, url, status, code) => {
    const peers = await withVnAt(await url())
    expect(vnOf(peers)).toMatchObject({ status, code })
    hkAnswered(peers)
  })

  /** A relay in front of VN that changes what TH sent on the way. */
  async function relay(
    change: (
      headers: Record<string, string>,
      body: string,
    ) => { headers: Record<string, string>; body: string },
  ) {
    const target = federation.nodes['VN-MPS'].url
    return fault(async (request, response, body) => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !['host', 'content-length', 'connection'].includes(name),
        ),
      ) as Record<string, string>
      const changed = change(headers, body)
      const answer = await fetch(`${target}/federation/graphql`, {
        method: 'POST',
        headers: changed.headers,
        body: changed.body,
      })
      const receipt = answer.headers.get('jaring-receipt')
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        ...(receipt ? { 'jaring-receipt': receipt } : {}),
      })
      response.end(Buffer.from(await answer.arrayBuffer()))
    })
  }

  it('reports a replayed assertion as DENIED by the peer', async () => {
    let first: { headers: Record<string, string>; body: string } | undefined
    const server = await relay((headers, body) => {
      first ??= { headers, body }
      return first
    })
    await withVnAt(server.url)
    const peers = await withVnAt(server.url)
    expect(vnOf(peers)).toMatchObject({ status: 'DENIED', code: 'PEER_ASSERTION_REPLAYED' })
    hkAnswered(peers)
  })

  it('reports a body that does not match its digest as DENIED', async () => {
    const server = await relay((headers, body) => ({
      headers,
      body: body.replace('"jaring_first":5', '"jaring_first":6'),
    }))
    const peers = await withVnAt(server.url)
    expect(vnOf(peers)).toMatchObject({ status: 'DENIED', code: 'PEER_BODY_DIGEST_MISMATCH' })
    hkAnswered(peers)
  })

  it('reports an assertion for another audience as DENIED', async () => {
    // The list sends TH's VN requests to HK's node: HK refuses an assertion addressed to VN.
    const peers = await withVnAt(federation.nodes['HK-HKPF'].url)
    expect(vnOf(peers)).toMatchObject({ status: 'DENIED', code: 'PEER_AUDIENCE_MISMATCH' })
    hkAnswered(peers)
  })

  it('reports a key that is not on the trust list as DENIED at every peer', async () => {
    const stranger = await writeSigningKeyFiles(path.join(federation.folder, 'stranger'))
    await federation.publish({ keys: { 'TH-RTP': await readJwks(stranger.publicJwksFile) } })
    try {
      const answer = await federation.query('TH-RTP', search)
      const peers = ((answer.json.data as Record<string, unknown>).persons as { peers: Peers }).peers
      expect(peers.map((peer) => [peer.agency, peer.status, peer.code])).toEqual([
        ['HK-HKPF', 'DENIED', 'PEER_KEY_UNKNOWN'],
        ['VN-MPS', 'DENIED', 'PEER_KEY_UNKNOWN'],
      ])
      expect(
        ((answer.json.data as Record<string, unknown>).persons as { nodes: unknown[] }).nodes.length,
      ).toBeGreaterThan(0)
    } finally {
      await federation.publish()
    }
  })

  describe('at the peer endpoint', () => {
    const body = JSON.stringify({ query: '{ persons(first: 1) { nodes { id } } }' })
    async function send(token: string, payload = body, schema = schemaHash) {
      const response = await fetch(`${federation.nodes['VN-MPS'].url}/federation/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'jaring-schema': schema,
        },
        body: payload,
      })
      const json = (await response.json()) as { errors?: { extensions: { code: string } }[] }
      return {
        status: response.status,
        code: json.errors?.[0]?.extensions.code,
        receipt: response.headers.get('jaring-receipt'),
      }
    }
    async function assertion(
      overrides: {
        issuer?: string
        audience?: string
        now?: number
        digestOf?: string
        key?: Parameters<typeof signPeerAssertion>[0]
      } = {},
    ) {
      const th = federation.nodes['TH-RTP']
      const principal = await th.app.tokenVerifier.verify(await th.token())
      return signPeerAssertion(overrides.key ?? th.federationKey, {
        issuer: overrides.issuer ?? 'TH-RTP',
        audience: overrides.audience ?? 'VN-MPS',
        principal,
        purpose: 'INVESTIGATION',
        bodyDigest: sha256Hex(overrides.digestOf ?? body),
        lifetimeSeconds: 60,
        ...(overrides.now ? { now: overrides.now } : {}),
      })
    }

    it('answers a good assertion with a receipt, and refuses its replay', async () => {
      const token = await assertion()
      const first = await send(token)
      expect(first.status).toBe(200)
      expect(first.receipt).toBeTruthy()
      expect(await send(token)).toMatchObject({ status: 401, code: 'PEER_ASSERTION_REPLAYED' })
    })

    it.each([
      ['an expired assertion', { now: Date.now() - 10 * 60_000 }, 'PEER_ASSERTION_EXPIRED'],
      ['a wrong audience', { audience: 'HK-HKPF' }, 'PEER_AUDIENCE_MISMATCH'],
      ['an unknown issuer', { issuer: 'SG-SPF' }, 'PEER_UNKNOWN_ISSUER'],
      ['a body that does not match its digest', { digestOf: '{}' }, 'PEER_BODY_DIGEST_MISMATCH'],
    ] as const)('refuses %s', async (_name, overrides, code) => {
      expect(await send(await assertion(overrides))).toMatchObject({ status: 401, code })
    })

    it('refuses a key that is not on the trust list', async () => {
      const files = await writeSigningKeyFiles(path.join(federation.folder, 'intruder'))
      const key = await readPrivateSigningKey(files.privateKeyFile)
      expect(await send(await assertion({ key }))).toMatchObject({ status: 401, code: 'PEER_KEY_UNKNOWN' })
    })

    it('refuses an officer token, and a different schema', async () => {
      expect(await send(await federation.nodes['VN-MPS'].token())).toMatchObject({
        status: 401,
        code: 'PEER_ASSERTION_REQUIRED',
      })
      expect(await send(await assertion(), body, 'f'.repeat(64))).toMatchObject({
        status: 409,
        code: 'SCHEMA_MISMATCH',
      })
    })
  })

  it('keeps the last good trust list when an update is tampered or expired', async () => {
    const file = path.join(federation.folder, 'trust-list.jws')
    const good = await federation.publish()
    const [header, payload, signature] = good.split('.') as [string, string, string]
    const document = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    document.version += 1
    const tampered = `${header}.${Buffer.from(JSON.stringify(document)).toString('base64url')}.${signature}`
    await writeFile(file, tampered)
    const outcome = await federation.nodes['TH-RTP'].app.federation.trust?.reload('test')
    expect(outcome).toMatchObject({ status: 'refused', code: 'TRUST_LIST_SIGNATURE_INVALID' })
    const answer = await federation.query('TH-RTP', search)
    expect(
      ((answer.json.data as Record<string, unknown>).persons as { peers: Peers }).peers.every(
        (peer) => peer.status === 'ANSWERED',
      ),
    ).toBe(true)
    await federation.publish()
  })
})
