/**
 * A federation of real nodes on PostgreSQL for the benchmarks: a secretariat key, each node started
 * by `jaring serve` with the demo's policy for its agency (or the empty policy of `jaring init`
 * when the demo has none), and one list signed with the secretariat's key naming every node at its
 * URL (made in this process with the code `jaring trust` runs: six CLI start-ups fewer a
 * federation, and the CLI has tests of its own). The list is written after the nodes are up (their
 * ports are the system's choice); every node watches its file and takes it. A member's URL on the
 * list can be a delaying proxy in front of its node (`delayProxy`), so a benchmark can give each
 * peer a latency of its own.
 */
import { existsSync } from 'node:fs'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { request } from 'undici'
import { readJwks, readPrivateSigningKey, writeSigningKeyFiles } from '../../services/node/auth/keys.ts'
import {
  createTrustList,
  signTrustList,
  type TrustMember,
} from '../../services/node/federation/trust-list.ts'
import { repoRoot } from './cli.ts'
import type { BenchContext } from './context.ts'
import { sharedNode } from './datasets.ts'
import type { BenchNode } from './node.ts'

export interface FederationMember {
  agency: string
  name: string
  country: string
  role: 'member' | 'partner'
  databaseUrl: string
  /** The URL the list names for this node (a proxy in front of it); the node's own by default. */
  listedUrl?: (nodeUrl: string) => Promise<string>
  /** Further changes to the node's node.yaml. */
  configure?: (config: Record<string, unknown>) => void
}

const demoPolicies = path.join(repoRoot, 'services/cli/demo/policies')

/** Starts every member's node (once per `key` in a run) and signs the list that joins them. */
export async function startBenchFederation(
  context: BenchContext,
  key: string,
  members: readonly FederationMember[],
): Promise<Map<string, BenchNode>> {
  return context.shared(`federation:${key}`, async () => {
    const trustDir = path.join(context.scratch, `${key}-trust`)
    await mkdir(trustDir, { recursive: true })
    const secretariat = await writeSigningKeyFiles(path.join(trustDir, 'secretariat'))
    const listFile = path.join(trustDir, 'trust-list.jws')
    // The nodes start side by side (each is a process of its own); the map keeps the members' order.
    const started = await Promise.all(
      members.map(async (member) => {
        const folder = path.join(context.scratch, `${key}-${member.agency}-policy`)
        await mkdir(folder, { recursive: true })
        const demoPolicy = path.join(demoPolicies, `${member.agency}.yaml`)
        const policyFile = existsSync(demoPolicy) ? path.join(folder, 'policy.yaml') : undefined
        if (policyFile) await copyFile(demoPolicy, policyFile)
        const node = await sharedNode(context, `${key}-${member.agency}`, {
          agency: member.agency,
          databaseUrl: member.databaseUrl,
          label: `${key}-${member.agency.toLowerCase()}`,
          configure: (config) => {
            if (policyFile) config.policy = { file: policyFile, watch: false }
            config.federation = {
              ...(config.federation as Record<string, unknown>),
              trustAnchorFile: secretariat.publicJwksFile,
              trustListFile: listFile,
            }
            member.configure?.(config)
          },
        })
        return [member.agency, node] as const
      }),
    )
    const nodes = new Map<string, BenchNode>(started)
    const listed: TrustMember[] = [
      {
        agency: 'ID-ASEANSEC',
        name: 'ASEAN Secretariat (bench)',
        country: 'ID',
        role: 'secretariat',
        keys: await readJwks(secretariat.publicJwksFile),
      },
    ]
    for (const member of members) {
      const node = nodes.get(member.agency) as BenchNode
      listed.push({
        agency: member.agency,
        name: member.name,
        country: member.country,
        role: member.role,
        url: member.listedUrl ? await member.listedUrl(node.url) : node.url,
        keys: await readJwks(path.join(path.dirname(node.configFile), 'keys/federation.jwks.json')),
      })
    }
    const now = Date.now()
    const list = createTrustList({
      version: 1,
      issuedAt: new Date(Math.floor(now / 1000) * 1000 - 1000),
      expiresAt: new Date(now + 86_400_000),
      issuer: 'ID-ASEANSEC',
      members: listed,
    })
    await writeFile(
      listFile,
      await signTrustList(list, await readPrivateSigningKey(secretariat.privateKeyFile)),
    )
    return nodes
  })
}

/** Asks until the federation answers whole (every node has taken the list through its file watch). */
export async function untilFederated(ask: () => Promise<readonly { status: string }[]>, label: string) {
  const deadline = performance.now() + 20_000
  for (;;) {
    const peers = await ask()
    if (peers.length > 0 && peers.every((peer) => peer.status === 'ANSWERED')) return
    if (performance.now() > deadline)
      throw new Error(`${label}: the federation never answered whole: ${JSON.stringify(peers)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const hopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length'])

/**
 * An HTTP proxy on loopback that holds every request for `delayMs`, then forwards it to `target`
 * and relays the answer byte for byte (the receipt signs the exact response bytes).
 */
export async function delayProxy(context: BenchContext, target: string, delayMs: number): Promise<string> {
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      setTimeout(async () => {
        try {
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(incoming.headers))
            if (typeof value === 'string' && !hopHeaders.has(name)) headers[name] = value
          const answer = await request(`${target}${incoming.url ?? '/'}`, {
            method: (incoming.method ?? 'GET') as 'POST',
            headers,
            body: Buffer.concat(chunks),
          })
          const body = Buffer.from(await answer.body.arrayBuffer())
          const relayed: Record<string, string> = { 'content-length': String(body.length) }
          for (const [name, value] of Object.entries(answer.headers))
            if (typeof value === 'string' && !hopHeaders.has(name)) relayed[name] = value
          outgoing.writeHead(answer.statusCode, relayed)
          outgoing.end(body)
        } catch {
          outgoing.writeHead(502).end()
        }
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  context.defer(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
