/**
 * Two replicas of one agency's node behind one PostgreSQL (docs/operations.md, "Replicas"): two
 * real `jaring serve` processes on one database, loaded at once with reads and writes, serve the
 * same answers, leave exactly one audit row per request in one unbroken chain (with checkpoints
 * that both sign), and accept a peer assertion once between them however it is replayed.
 *
 * PostgreSQL only (docs/decisions/0008-replica-tests-on-postgresql.md): two processes cannot open
 * one PGlite database, so vitest.config.ts leaves this file out of a run without a postgres://
 * TEST_DATABASE_URL, and the run says so at its start.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countAuditRows } from '../../db/audit-log.ts'
import { type DatabaseHandle, migrationsFolder, openDatabase } from '../../db/open.ts'
import { seedDatabase } from '../../db/seed/seed.ts'
import { schemaHash } from '../../schema/index.ts'
import { crimeCategories } from '../../schema/vocabulary.ts'
import { sha256Hex } from '../../services/node/audit/chain.ts'
import { verifyAuditChain } from '../../services/node/audit/verify.ts'
import { mintDevToken } from '../../services/node/auth/dev-issuer.ts'
import {
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  readPublicJwksOfPrivateKey,
  writeSigningKeyFiles,
} from '../../services/node/auth/keys.ts'
import type { Principal } from '../../services/node/auth/principal.ts'
import { loadConfig, type NodeConfig } from '../../services/node/config.ts'
import { signPeerAssertion } from '../../services/node/federation/assertion.ts'
import { createTrustList, signTrustList } from '../../services/node/federation/trust-list.ts'
import { cliTimeoutMs, type Running, startJaring } from '../cli/run.ts'
import { createTestDatabaseUrl, type TestDatabaseLocation, testDatabaseDriver } from '../support/database.ts'
import { databaseNameOf, quoteIdentifier, urlForDatabase } from '../support/database-plan.ts'
import { queryRows } from '../support/rows.ts'

const agency = 'VN-MPS'
const peer = 'TH-RTP'
const secretariat = 'ID-ASEANSEC'
const policyFile = path.resolve(import.meta.dirname, '../../services/cli/demo/policies/VN-MPS.yaml')

interface Answer {
  status: number
  json: {
    data?: Record<string, unknown> | null
    errors?: { message: string; extensions?: { code?: string } }[]
  }
}

interface Replica {
  process: Running
  url: string
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(60_000),
  })
  return { status: response.statusCode, json: (await response.body.json()) as Answer['json'] }
}

/** The node's folder: its keys, the demo's policy of Viet Nam, a trust list naming Thailand a peer. */
async function writeNodeFolder(folder: string): Promise<{ configFile: string; peerKey: PrivateSigningKey }> {
  await writeSigningKeyFiles(path.join(folder, 'dev-issuer'))
  const own = await writeSigningKeyFiles(path.join(folder, 'federation'))
  const anchor = await writeSigningKeyFiles(path.join(folder, 'secretariat'))
  const peerKey = await writeSigningKeyFiles(path.join(folder, 'peer'))
  const now = Date.now()
  const list = createTrustList({
    version: 1,
    issuedAt: new Date(now - 60_000),
    expiresAt: new Date(now + 86_400_000),
    issuer: secretariat,
    members: [
      {
        agency: secretariat,
        name: 'Secretariat',
        country: 'ID',
        role: 'secretariat',
        keys: await readJwks(anchor.publicJwksFile),
      },
      {
        agency,
        name: 'Viet Nam',
        country: 'VN',
        role: 'member',
        url: 'http://127.0.0.1:4103',
        keys: await readJwks(own.publicJwksFile),
      },
      {
        agency: peer,
        name: 'Thailand',
        country: 'TH',
        role: 'member',
        url: 'http://127.0.0.1:4102',
        keys: await readJwks(peerKey.publicJwksFile),
      },
    ],
  })
  const signed = await signTrustList(list, await readPrivateSigningKey(anchor.privateKeyFile))
  await writeFile(path.join(folder, 'trust-list.jws'), signed)
  const configFile = path.join(folder, 'node.yaml')
  await writeFile(
    configFile,
    `agency: ${agency}
name: Ministry of Public Security (replicas test)
country: VN
publicUrl: http://127.0.0.1:4103
listen: { host: 127.0.0.1, port: 0 }
auth:
  devIssuer: { enabled: true, privateKeyFile: dev-issuer.private.jwk.json, publicJwksFile: dev-issuer.jwks.json }
policy: { file: ${JSON.stringify(policyFile)} }
federation:
  privateKeyFile: federation.private.jwk.json
  trustAnchorFile: secretariat.jwks.json
  trustListFile: trust-list.jws
# Both replicas sign the chain head while the load runs, racing for the same checkpoints.
audit: { checkpointIntervalSeconds: 1 }
logging: { level: warn }
`,
  )
  return { configFile, peerKey: await readPrivateSigningKey(peerKey.privateKeyFile) }
}

const listQuery =
  '{ cases(first: 100) { nodes { id externalRef title version } pageInfo { hasNextPage endCursor } } }'
const byRefQuery =
  'query ($ref: String!) { cases(filter: { externalRef: $ref }, first: 1) { nodes { id externalRef version } } }'
const createMutation =
  'mutation ($input: CreateCaseInput!) { createCase(input: $input) { id externalRef version } }'

function caseNodes(answer: Answer): { id: string }[] {
  const cases = answer.json.data?.cases as { nodes: { id: string }[] } | undefined
  if (!cases) throw new Error(`no cases in ${JSON.stringify(answer.json)}`)
  return cases.nodes
}

function caseInput(ref: string) {
  return {
    externalRef: ref,
    title: `Replica test case ${ref}`,
    crimeCategory: crimeCategories[0],
    country: 'VN',
    openedOn: '2026-11-01',
  }
}

describe('two replicas of one node on one PostgreSQL', { timeout: 180_000 }, () => {
  let workspace: string
  let location: TestDatabaseLocation
  let database: DatabaseHandle
  let config: NodeConfig
  let peerKey: PrivateSigningKey
  const replicas: Replica[] = []
  let officerToken: string
  let systemToken: string
  /** Every request sent to /graphql or /federation/graphql: each must leave exactly one audit row. */
  let audited = 0

  const graphql = (target: Replica, token: string, query: string, variables?: unknown) => {
    audited += 1
    return post(`${target.url}/graphql`, JSON.stringify({ query, variables }), {
      authorization: `Bearer ${token}`,
    })
  }
  const replica = (index: number) => replicas[index % 2] as Replica

  /** The harness's database is migrated already; the replicas get an empty one beside it, to migrate. */
  let emptyUrl: string | undefined
  const onServer = async (statement: string) => {
    const admin = await openDatabase(location.url, { migrate: false, poolMax: 1 })
    try {
      await admin.db.execute(sql.raw(statement))
    } finally {
      await admin.close()
    }
  }

  beforeAll(async () => {
    if (testDatabaseDriver() !== 'postgres')
      throw new Error(
        'This suite needs PostgreSQL (two processes on one database): set TEST_DATABASE_URL=postgres://...',
      )
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-replicas-'))
    location = await createTestDatabaseUrl()
    // Named after the harness's database, so the run's clean-up finds it if this suite dies.
    const emptyName = `${databaseNameOf(location.url)}_empty`
    await onServer(`CREATE DATABASE ${quoteIdentifier(emptyName)}`)
    emptyUrl = urlForDatabase(location.url, emptyName)
    const written = await writeNodeFolder(workspace)
    peerKey = written.peerKey
    config = loadConfig(written.configFile, {})
    // Both at once, as an orchestrator starts them: each migrates under the advisory lock, then serves.
    for (const _ of [1, 2]) {
      replicas.push({
        process: startJaring(['serve', '--config', written.configFile], {
          env: { JARING_DATABASE_URL: emptyUrl },
        }),
        url: '',
      })
    }
    for (const one of replicas) {
      const [, url] = await one.process.waitForStderr(/is serving at (http:\/\/127\.0\.0\.1:\d+)\n/)
      one.url = url as string
    }
    database = await openDatabase(emptyUrl, {
      migrate: false,
      poolMax: 2,
      applicationName: 'jaring-replicas-test',
    })
    await seedDatabase(database, { agency, cases: 100, seed: 'replicas' })
    officerToken = await mintDevToken(config, { role: 'liaison', subject: 'replica-reader' })
    systemToken = await mintDevToken(config, { role: 'system', subject: 'replica-writer' })
  }, cliTimeoutMs)

  afterAll(async () => {
    for (const one of replicas) one.process.child.kill('SIGTERM')
    const exits = await Promise.all(replicas.map((one) => one.process.finished))
    await database?.close()
    if (emptyUrl)
      await onServer(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseNameOf(emptyUrl))} WITH (FORCE)`)
    await location?.drop()
    await rm(workspace, { recursive: true, force: true })
    for (const exit of exits) expect(exit.code, exit.stderr).toBe(0)
  }, cliTimeoutMs)

  it('are two processes on two ports that migrated the empty database once between them', async () => {
    expect(replicas).toHaveLength(2)
    expect(replicas[0]?.url).not.toBe(replicas[1]?.url)
    expect(replicas[0]?.process.child.pid).not.toBe(replicas[1]?.process.child.pid)
    const journal = JSON.parse(
      await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
    ) as {
      entries: unknown[]
    }
    const applied = await queryRows<{ hash: string }>(
      database,
      sql`SELECT hash FROM drizzle.__drizzle_migrations`,
    )
    expect(applied).toHaveLength(journal.entries.length)
    expect(new Set(applied.map((row) => row.hash)).size).toBe(journal.entries.length)
    expect(await countAuditRows(database.db)).toBe(0)
  })

  it('serve reads and writes loaded on both at once, the same create sent to both giving one case', async () => {
    const distinct = Array.from({ length: 40 }, (_, index) => `REPLICA-${index}`)
    const contested = Array.from({ length: 10 }, (_, index) => `CONTESTED-${index}`)
    const work = [
      ...distinct.map((ref, index) =>
        graphql(replica(index), systemToken, createMutation, { input: caseInput(ref) }),
      ),
      // The same idempotent create on both replicas in the same instant: both must answer the one case.
      ...contested.flatMap((ref) =>
        [0, 1].map((index) =>
          graphql(replica(index), systemToken, createMutation, { input: caseInput(ref) }),
        ),
      ),
      ...Array.from({ length: 60 }, (_, index) => graphql(replica(index), officerToken, listQuery)),
    ]
    const answers = await Promise.all(work)
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.json.errors)).toBe(200)
      expect(answer.json.errors, JSON.stringify(answer.json.errors)).toBeUndefined()
    }
    const created = answers
      .slice(0, distinct.length + contested.length * 2)
      .map((answer) => answer.json.data?.createCase as { id: string; externalRef: string })
    for (const [index, ref] of contested.entries()) {
      const [first, second] = created.slice(distinct.length + index * 2, distinct.length + index * 2 + 2)
      expect(first?.externalRef).toBe(ref)
      expect(second?.id).toBe(first?.id)
    }

    // What one replica wrote, the other reads, with the same id.
    const reads = await Promise.all(
      created
        .slice(0, distinct.length)
        .map((one, index) => graphql(replica(index + 1), officerToken, byRefQuery, { ref: one.externalRef })),
    )
    for (const [index, read] of reads.entries()) {
      expect(caseNodes(read).map((node) => node.id)).toEqual([created[index]?.id])
    }
  })

  it('give the same answer to the same question', async () => {
    const [a, b] = await Promise.all([0, 1].map((index) => graphql(replica(index), officerToken, listQuery)))
    expect(a?.status).toBe(200)
    expect(a && caseNodes(a)).toHaveLength(100)
    expect(b?.json).toEqual(a?.json)
  })

  it('accept each peer assertion once between them, sent to both at once', async () => {
    const body = JSON.stringify({ query: '{ cases(first: 1) { nodes { id } } }' })
    const principal: Principal = {
      kind: 'officer',
      agency: peer,
      subject: 'th-liaison',
      roles: ['liaison'],
      scopes: new Set(['cases:read']),
      clearance: 'AMBER',
      tokenId: 'replicas-test',
      purpose: 'INVESTIGATION',
    }
    for (let round = 0; round < 5; round += 1) {
      const assertion = await signPeerAssertion(peerKey, {
        issuer: peer,
        audience: agency,
        principal,
        purpose: 'INVESTIGATION',
        bodyDigest: sha256Hex(body),
        lifetimeSeconds: 60,
      })
      const headers = { authorization: `Bearer ${assertion}`, 'jaring-schema': schemaHash }
      audited += 2
      const answers = await Promise.all(
        replicas.map((one) => post(`${one.url}/federation/graphql`, body, headers)),
      )
      const statuses = answers.map((answer) => answer.status).sort()
      expect(statuses, JSON.stringify(answers.map((answer) => answer.json))).toEqual([200, 401])
      const refused = answers.find((answer) => answer.status === 401)
      expect(refused?.json.errors?.[0]?.extensions?.code).toBe('PEER_ASSERTION_REPLAYED')
    }
  })

  it('leave one audit row per request, in one unbroken chain with checkpoints both could sign', async () => {
    // Both replicas sign the head every second: wait for a checkpoint past the load.
    const keys = (await readPublicJwksOfPrivateKey(path.join(workspace, 'federation.private.jwk.json'))).keys
    let verification = await verifyAuditChain(database.db, { node: agency, keys })
    const deadline = Date.now() + 15_000
    while (verification.checkpoints === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      verification = await verifyAuditChain(database.db, { node: agency, keys })
    }
    expect(verification.fault).toBeUndefined()
    expect(verification.ok).toBe(true)
    expect(await countAuditRows(database.db)).toBe(audited)
    expect(verification.rows).toBe(audited)
    expect(verification.headSeq).toBe(audited)
    expect(verification.checkpoints).toBeGreaterThan(0)
  })
})
