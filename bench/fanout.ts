/**
 * Fan-out overhead (issue 8, figure 2; issue 6's note): a federated query at HK over the demo
 * federation (`jaring demo`: three real nodes, real HTTP, real signatures, every peer answering),
 * timed at the client, less the slowest peer's own latency as the asker reports it in `peers`.
 * What is left is what the asking node adds: its own slice, signing one assertion per peer,
 * verifying each receipt, merging, and auditing. The demo runs on embedded PGlite, so the peers'
 * latencies are slower than on PostgreSQL; the overhead is the asker's work and does not depend on
 * them. Requests run one at a time, so a figure is one request's cost, not a queue's.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'
import { cliEntry, repoRoot } from './lib/cli.ts'
import type { BenchContext } from './lib/context.ts'
import { median } from './lib/load.ts'

export const name = 'fanout'
export const title = 'Fan-out: a federated query over three nodes, less the slowest peer'

interface PeerReport {
  agency: string
  status: string
  latencyMs: number | null
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number
}

/** Starts `jaring demo` and waits for its banner; the demo is stopped at the end of the run. */
async function startDemo(
  context: BenchContext,
): Promise<{ graphqlUrl: string; token: string; query: string }> {
  const basePort = 20_000 + Math.floor(Math.random() * 20_000)
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cliEntry,
      'demo',
      '--dir',
      path.join(context.scratch, 'demo'),
      '--base-port',
      String(basePort),
      '--cases',
      '100',
    ],
    { cwd: repoRoot, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const closed = once(child, 'close')
  context.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await closed
  })
  let stderr = ''
  const banner = await new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
      if (/Stop with Ctrl/.test(stderr)) resolve(stderr)
    })
    closed.then(() =>
      reject(
        new Error(
          `jaring demo ended before it was ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      ),
    )
  })
  const hk = /HK-HKPF · [^\n]*\n\s+GraphiQL\s+\S+\n\s+GraphQL\s+(\S+)\n\s+token\s+(\S+)/.exec(banner)
  const story = /both hold:\n\s+(\{.*\})\n/.exec(banner)
  if (!hk?.[1] || !hk[2] || !story?.[1]) throw new Error('the demo banner has no HK token or federated query')
  return { graphqlUrl: hk[1], token: hk[2], query: story[1] }
}

export async function run(context: BenchContext): Promise<void> {
  const { graphqlUrl, token, query } = await startDemo(context)
  const ask = async () => {
    const started = performance.now()
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    })
    const answer = (await response.json()) as { data?: { persons?: { peers: PeerReport[] } } }
    const elapsed = performance.now() - started
    const peers = answer.data?.persons?.peers ?? []
    if (response.status !== 200 || peers.length !== 2 || peers.some((peer) => peer.status !== 'ANSWERED')) {
      throw new Error(
        `the federated query did not reach both peers: ${response.status} ${JSON.stringify(peers)}`,
      )
    }
    return { elapsed, slowestPeer: Math.max(...peers.map((peer) => peer.latencyMs ?? 0)) }
  }
  for (let warm = 0; warm < 10; warm++) await ask()
  const count = context.quick ? 60 : 400
  const overheads: number[] = []
  const slowest: number[] = []
  for (let index = 0; index < count; index++) {
    const { elapsed, slowestPeer } = await ask()
    overheads.push(elapsed - slowestPeer)
    slowest.push(slowestPeer)
  }
  const p50 = median(overheads)
  const p99 = percentile(overheads, 0.99)
  const round = (value: number) => Math.round(value * 100) / 100
  context.record({
    benchmark: name,
    name: 'federated query over 2 peers: median overhead over the slowest peer',
    value: round(p50),
    unit: 'ms',
    baseline: { name: 'slowest peer latency, median', value: round(median(slowest)) },
    goal: { text: 'at most 3 ms', met: p50 <= 3 },
    note: `${count} requests one at a time after 10 to warm up, HK asking TH and VN in the demo federation (PGlite)`,
  })
  context.record({
    benchmark: name,
    name: 'federated query over 2 peers: p99 overhead over the slowest peer',
    value: round(p99),
    unit: 'ms',
    baseline: { name: 'slowest peer latency, p99', value: round(percentile(slowest, 0.99)) },
    goal: { text: 'at most 10 ms', met: p99 <= 10 },
  })
}
