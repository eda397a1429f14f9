/**
 * A real federation under test: HK-HKPF, TH-RTP and VN-MPS, each a full node (`buildApp`) on its
 * own test database (PGlite or PostgreSQL, as the harness chooses), seeded with the demo's seed so
 * their data overlaps, listening on 127.0.0.1 port 0, with the demo's sample policies, their own
 * federation keys, and one trust list signed by a secretariat key. Nothing is mocked: peers talk
 * HTTP, assertions and receipts are signed and verified.
 *
 * Misbehaving peers are real HTTP servers on loopback too (`fault`): the trust list can name them
 * in place of a node, with a real node's key, so the asker's checks meet each fault for real.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { seedDatabase } from '../../../db/seed/seed.ts'
import { buildApp } from '../../../services/node/app.ts'
import { mintDevToken } from '../../../services/node/auth/dev-issuer.ts'
import {
  type JsonWebKeySet,
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  writeSigningKeyFiles,
} from '../../../services/node/auth/keys.ts'
import type { Role } from '../../../services/node/auth/scopes.ts'
import { type NodeConfig, parseConfig } from '../../../services/node/config.ts'
import { issueNodeCertificate, type PemPair } from '../../../services/node/federation/tls.ts'
import {
  createTrustList,
  signTrustList,
  type TrustMember,
} from '../../../services/node/federation/trust-list.ts'
import { openTestDatabase, type TestDatabase } from '../../support/database.ts'

export const agencies = [
  { code: 'HK-HKPF', name: 'Hong Kong Police Force', country: 'HK', role: 'partner' },
  { code: 'TH-RTP', name: 'Royal Thai Police', country: 'TH', role: 'member' },
  { code: 'VN-MPS', name: 'Ministry of Public Security', country: 'VN', role: 'member' },
] as const
export type AgencyCode = (typeof agencies)[number]['code']

export const secretariatAgency = 'ID-ASEANSEC'
const policySamples = new URL('../../../services/cli/demo/policies/', import.meta.url)

export interface TestNode {
  agency: AgencyCode
  app: FastifyInstance
  config: NodeConfig
  database: TestDatabase
  url: string
  folder: string
  federationKey: PrivateSigningKey
  federationJwks: JsonWebKeySet
  token(role?: Role): Promise<string>
}

export interface Federation {
  folder: string
  nodes: Record<AgencyCode, TestNode>
  secretariatKey: PrivateSigningKey
  /** Signs and installs a trust list on every node; `url` replaces a member's URL (a fault server). */
  publish(options?: {
    urls?: Partial<Record<string, string>>
    keys?: Partial<Record<string, JsonWebKeySet>>
    extraMembers?: TrustMember[]
    version?: number
    expiresAt?: Date
  }): Promise<string>
  members(options?: { urls?: Partial<Record<string, string>> }): TrustMember[]
  /** POST /graphql at a node as its liaison officer. */
  query(
    agency: AgencyCode,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; json: GraphqlAnswer }>
  close(): Promise<void>
}

export interface GraphqlAnswer {
  data?: Record<string, unknown> | null
  errors?: { message: string; extensions?: { code?: string } }[]
}

let version = 1

async function startNode(
  base: string,
  agency: (typeof agencies)[number],
  secretariatJwks: string,
  seedCases: number,
  config: Record<string, unknown>,
  ca: PemPair | undefined,
): Promise<TestNode> {
  const folder = path.join(base, agency.code)
  await mkdir(folder)
  if (ca) {
    // HTTPS both ways: this node's certificate from the federation CA, and the CA to check peers.
    const own = issueNodeCertificate(ca, { commonName: agency.code, hosts: ['127.0.0.1'], days: 1 })
    await writeFile(path.join(folder, 'tls.cert.pem'), own.certPem)
    await writeFile(path.join(folder, 'tls.key.pem'), own.keyPem, { mode: 0o600 })
    await writeFile(path.join(base, 'federation-ca.pem'), ca.certPem)
  }
  await writeSigningKeyFiles(path.join(folder, 'dev-issuer'))
  await writeSigningKeyFiles(path.join(folder, 'federation'))
  await copyFile(new URL(`${agency.code}.yaml`, policySamples), path.join(folder, 'policy.yaml'))
  const nodeConfig = parseConfig(
    {
      agency: agency.code,
      name: agency.name,
      country: agency.country,
      publicUrl: 'http://127.0.0.1:1',
      listen: {
        host: '127.0.0.1',
        port: 0,
        ...(ca ? { tls: { certFile: 'tls.cert.pem', keyFile: 'tls.key.pem' } } : {}),
      },
      auth: {
        devIssuer: {
          enabled: true,
          privateKeyFile: 'dev-issuer.private.jwk.json',
          publicJwksFile: 'dev-issuer.jwks.json',
        },
      },
      policy: { file: 'policy.yaml', watch: false },
      federation: {
        privateKeyFile: 'federation.private.jwk.json',
        trustAnchorFile: secretariatJwks,
        trustListFile: path.join(base, 'trust-list.jws'),
        peerTimeoutMs: 2_500,
        overallTimeoutMs: 4_000,
        maxResponseBytes: 256 * 1024,
        ...(ca ? { tls: { caFile: path.join(base, 'federation-ca.pem') } } : {}),
        ...((config.federation as Record<string, unknown> | undefined) ?? {}),
      },
      rateLimit: { enabled: false },
      logging: { level: process.env.JARING_TEST_LOG ?? 'silent' },
    },
    folder,
  )
  const database = await openTestDatabase()
  await seedDatabase(database, { agency: agency.code, cases: seedCases, seed: 'jaring' })
  const app = await buildApp(nodeConfig, { database })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return {
    agency: agency.code,
    app,
    config: nodeConfig,
    database,
    url: `${ca ? 'https' : 'http'}://127.0.0.1:${port}`,
    folder,
    federationKey: await readPrivateSigningKey(path.join(folder, 'federation.private.jwk.json')),
    federationJwks: await readJwks(path.join(folder, 'federation.jwks.json')),
    token: (role = 'liaison') => mintDevToken(nodeConfig, { role, subject: `test-${role}` }),
  }
}

export async function startFederation(
  options: {
    seedCases?: number
    config?: Record<string, unknown>
    /** The federation CA: every node listens on HTTPS with a certificate from it and checks its peers against it. */
    tls?: { ca: PemPair }
  } = {},
): Promise<Federation> {
  const folder = await mkdtemp(path.join(tmpdir(), 'jaring-federation-'))
  const secretariatFiles = await writeSigningKeyFiles(path.join(folder, 'secretariat'))
  const secretariatKey = await readPrivateSigningKey(secretariatFiles.privateKeyFile)
  const secretariatJwks = await readJwks(secretariatFiles.publicJwksFile)
  const started: TestNode[] = []
  try {
    for (const agency of agencies) {
      started.push(
        await startNode(
          folder,
          agency,
          secretariatFiles.publicJwksFile,
          options.seedCases ?? 100,
          options.config ?? {},
          options.tls?.ca,
        ),
      )
    }
  } catch (error) {
    for (const node of started) {
      await node.app.close()
      await node.database.close()
    }
    throw error
  }
  const nodes = Object.fromEntries(started.map((node) => [node.agency, node])) as Record<AgencyCode, TestNode>

  const members: Federation['members'] = ({ urls = {} } = {}) => [
    {
      agency: secretariatAgency,
      name: 'ASEAN Secretariat',
      country: 'ID',
      role: 'secretariat',
      keys: secretariatJwks,
    },
    ...agencies.map(
      (agency): TrustMember => ({
        agency: agency.code,
        name: agency.name,
        country: agency.country,
        role: agency.role,
        url: urls[agency.code] ?? nodes[agency.code].url,
        keys: nodes[agency.code].federationJwks,
      }),
    ),
  ]

  const federation: Federation = {
    folder,
    nodes,
    secretariatKey,
    members,
    async publish({ urls, keys = {}, extraMembers = [], version: chosen, expiresAt } = {}) {
      version += 1
      const list = createTrustList({
        version: chosen ?? version,
        issuedAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 1000),
        expiresAt: expiresAt ?? new Date(Date.now() + 86_400_000),
        issuer: secretariatAgency,
        members: [
          ...members({ urls }).map((member) =>
            keys[member.agency] ? { ...member, keys: keys[member.agency] as JsonWebKeySet } : member,
          ),
          ...extraMembers,
        ],
      })
      const signed = await signTrustList(list, secretariatKey)
      await writeFile(path.join(folder, 'trust-list.jws'), signed)
      for (const node of started) await node.app.federation.trust?.reload('test')
      return signed
    },
    async query(agency, query, variables) {
      const node = nodes[agency]
      if (options.tls) {
        // The officer's leg stays in process (the test holds no client certificate store); the
        // legs between the nodes are real HTTPS.
        const response = await node.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await node.token()}` },
          payload: JSON.stringify({ query, variables }),
        })
        return { status: response.statusCode, json: response.json() as GraphqlAnswer }
      }
      const response = await fetch(`${node.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await node.token()}` },
        body: JSON.stringify({ query, variables }),
      })
      return { status: response.status, json: (await response.json()) as GraphqlAnswer }
    },
    async close() {
      for (const node of started) {
        await node.app.close()
        await node.database.close()
      }
      await rm(folder, { recursive: true, force: true })
    },
  }
  await federation.publish()
  return federation
}

/** A real HTTP server on loopback that misbehaves as told. */
export interface FaultServer {
  url: string
  /** Requests it received, with their bodies. */
  requests: { headers: IncomingMessage['headers']; body: string }[]
  close(): Promise<void>
}

export async function faultServer(
  handler: (request: IncomingMessage, response: ServerResponse, body: string) => void,
): Promise<FaultServer> {
  const requests: FaultServer['requests'] = []
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      requests.push({ headers: request.headers, body })
      handler(request, response, body)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
