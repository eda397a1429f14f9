/**
 * A node under test that can be asked as a peer. Federation (verified peer assertions) is not built
 * yet, so a test-only hook answers a request carrying `x-test-peer` as that peer would be answered:
 * the request still needs a valid token of this node, and the hook then replaces its principal with
 * a peer principal of the agency and purpose the header names. Nothing of this exists outside tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Tlp } from '../../../schema/vocabulary.ts'
import { buildApp } from '../../../services/node/app.ts'
import { mintDevToken } from '../../../services/node/auth/dev-issuer.ts'
import type { Principal } from '../../../services/node/auth/principal.ts'
import type { Role } from '../../../services/node/auth/scopes.ts'
import type { NodeConfig } from '../../../services/node/config.ts'
import { testNodeConfig, writeTestKeys } from '../../support/app.ts'
import { openTestDatabase, type TestDatabase } from '../../support/database.ts'

export interface PeerRequest {
  agency: string
  purpose?: string
  clearance?: Tlp
}

export function peerPrincipal({ agency, purpose, clearance = 'AMBER' }: PeerRequest): Principal {
  return {
    kind: 'peer',
    agency,
    subject: `officer@${agency}`,
    roles: [],
    scopes: new Set(['cases:read', 'persons:read', 'syndicates:read', 'intel:read', 'policy:read']),
    clearance,
    tokenId: `peer-${crypto.randomUUID()}`,
    ...(purpose ? { purpose } : {}),
  }
}

export interface PeerViewApp {
  app: FastifyInstance
  config: NodeConfig
  database: TestDatabase
  policyFile: string
  token(role: Role): Promise<string>
  close(): Promise<void>
}

/** `config` is merged over the test node's config (top-level sections replace whole). */
export async function buildPeerViewApp(
  policyText: string,
  config: Record<string, unknown> = {},
): Promise<PeerViewApp> {
  const folder = await mkdtemp(join(tmpdir(), 'jaring-peer-view-'))
  await writeTestKeys(folder)
  const policyFile = join(folder, 'policy.yaml')
  await writeFile(policyFile, policyText)
  const nodeConfig = testNodeConfig(folder, { policy: { file: 'policy.yaml', watch: false }, ...config })
  const database = await openTestDatabase()
  const app = await buildApp(nodeConfig, { database })
  app.addHook('preHandler', async (request) => {
    const peer = request.headers['x-test-peer']
    if (typeof peer === 'string') request.principal = peerPrincipal(JSON.parse(peer) as PeerRequest)
  })
  await app.ready()
  return {
    app,
    config: nodeConfig,
    database,
    policyFile,
    token: (role) => mintDevToken(nodeConfig, { role }),
    async close() {
      await app.close()
      await database.close()
      await rm(folder, { recursive: true, force: true })
    },
  }
}
