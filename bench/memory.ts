/**
 * Memory (issue 8, figure 6): the resident set (VmRSS, /proc/<pid>/status) of a node of its own
 * over the seeded PostgreSQL database, at rest after start, at its peak under the one-record read
 * load, and at rest again, with Node's defaults and with the young generation capped
 * (`--max-semi-space-size=8`); beside it bare fastify + mercurius at rest. Then the demo federation
 * (`jaring demo`), which runs its three nodes on PGlite in one process: that process's RSS.
 */
import { readFile } from 'node:fs/promises'
import autocannon from 'autocannon'
import { startBareMercurius } from './lib/bare-mercurius.ts'
import type { BenchContext } from './lib/context.ts'
import { datasetCases, seededDatabase } from './lib/datasets.ts'
import { sharedDemo } from './lib/demo.ts'
import { startNode } from './lib/node.ts'
import { readablePersonId, recordQuery } from './lib/reads.ts'

export const name = 'memory'
export const title = 'Memory: RSS of a node at rest and under load, and of the demo'

const mib = 1024 * 1024

/** Resident and peak resident set of a process, in MiB. */
async function rss(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function atRest(pid: number, settleMs: number): Promise<number> {
  await sleep(settleMs)
  return (await rss(pid)).rss
}

interface NodeMemory {
  restBefore: number
  peak: number
  restAfter: number
  perSecond: number
  non2xx: number
}

/** A node of its own at rest, under the read load (sampled every 200 ms) and at rest again. */
async function measureNode(
  context: BenchContext,
  url: string,
  label: string,
  execArgv: readonly string[],
  settleMs: number,
  seconds: number,
): Promise<NodeMemory> {
  const node = await startNode(context, { agency: 'TH-RTP', databaseUrl: url, label, execArgv })
  const token = await node.token('liaison')
  const id = await readablePersonId(node, token)
  const restBefore = await atRest(node.pid, settleMs)
  let peak = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await rss(node.pid)).rss)
      await sleep(200)
    }
  })()
  const result = await autocannon({
    url: `${node.url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: recordQuery, variables: { id } }),
    connections: 32,
    duration: seconds,
  })
  sampling = false
  await sampler
  const restAfter = await atRest(node.pid, settleMs)
  await node.stop()
  return { restBefore, peak, restAfter, perSecond: result['2xx'] / result.duration, non2xx: result.non2xx }
}

/** The V8 young generation's cap that keeps a node within 200 MB (V8 sizes it by the machine's memory). */
const smallSemiSpace = '--max-semi-space-size=8'

export async function run(context: BenchContext): Promise<void> {
  const settleMs = context.quick ? 1_000 : 10_000
  const seconds = context.quick ? 2 : 20
  const seeded = await seededDatabase(context, 'TH-RTP', datasetCases(context.quick))
  const bare = await startBareMercurius(context)
  await sleep(settleMs)
  const bareRest = (await rss(bare.pid)).rss
  await bare.stop()
  // The demo starts (three nodes seeding PGlite) while the nodes on PostgreSQL are measured.
  const demoStarting = sharedDemo(context)
  demoStarting.catch(() => {})
  const plain = await measureNode(context, seeded.url, 'th-rtp-memory', [], settleMs, seconds)
  const small = await measureNode(
    context,
    seeded.url,
    'th-rtp-memory-small',
    [smallSemiSpace],
    settleMs,
    seconds,
  )

  const round = (value: number) => Math.round(value * 10) / 10
  const load = (memory: NodeMemory) =>
    `${seconds} s of the one-record read at 32 connections (${Math.round(memory.perSecond)} req/s, ${memory.non2xx} non-2xx), RSS sampled every 200 ms; ${round(memory.restAfter)} MiB at rest ${settleMs / 1000} s after the load`
  context.record({
    benchmark: name,
    name: 'node on PostgreSQL at rest: RSS',
    value: round(plain.restBefore),
    unit: 'MiB',
    baseline: { name: 'bare fastify + mercurius at rest', value: round(bareRest) },
    ratio: plain.restBefore / bareRest,
    goal: { text: 'at most 200 MB', met: plain.restBefore * mib <= 200e6 },
    note: `VmRSS of the node's process ${settleMs / 1000} s after /health/ready answered and one read, Node's defaults; ${seeded.cases.toLocaleString('en-US')} cases in its database. V8 sizes the young generation by the machine's memory (up to 64 MB a semi-space here), and the start-up's allocations grow it`,
  })
  context.record({
    benchmark: name,
    name: 'node on PostgreSQL under load: peak RSS',
    value: round(plain.peak),
    unit: 'MiB',
    baseline: { name: 'the same node at rest', value: round(plain.restBefore) },
    ratio: plain.peak / plain.restBefore,
    note: load(plain),
  })
  context.record({
    benchmark: name,
    name: `node at rest with NODE_OPTIONS=${smallSemiSpace}: RSS`,
    value: round(small.restBefore),
    unit: 'MiB',
    baseline: { name: "the node with Node's defaults", value: round(plain.restBefore) },
    ratio: small.restBefore / plain.restBefore,
    goal: { text: 'at most 200 MB', met: small.restBefore * mib <= 200e6 },
    note: `the same node with the young generation capped at 8 MB a semi-space; under load its peak is ${round(small.peak)} MiB (${round(plain.peak)} MiB with the defaults): ${load(small)}`,
  })

  const demo = await demoStarting
  // A few federated queries first, so the figure is of nodes that have answered, not just started.
  for (let index = 0; index < 20; index++) {
    const response = await fetch(demo.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: demo.query }),
    })
    await response.arrayBuffer()
  }
  const demoRest = await atRest(demo.pid, settleMs)
  context.record({
    benchmark: name,
    name: 'demo federation (three nodes, one process): RSS',
    value: round(demoRest),
    unit: 'MiB',
    baseline: { name: 'node on PostgreSQL at rest', value: round(plain.restBefore) },
    ratio: demoRest / plain.restBefore,
    note: `jaring demo runs HK, TH and VN in one process, each on its own embedded PGlite (WebAssembly PostgreSQL in the process's memory): ${round(demoRest / 3)} MiB a node; measured ${settleMs / 1000} s after 20 federated queries; peak ${round((await rss(demo.pid)).hwm)} MiB`,
  })
}
