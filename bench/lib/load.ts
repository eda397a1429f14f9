/**
 * Load from the runner's process (never the node's) with autocannon, and the comparison every
 * throughput figure uses: the measured case and its baseline run in alternating rounds, so that
 * noise from other work on the machine falls on both, and the ratio is the median of the rounds'.
 */
import autocannon from 'autocannon'
import type { BenchNode } from './node.ts'

/** What a load round needs of a server: where it is, and its own CPU time (a node, bare mercurius). */
export type LoadServer = Pick<BenchNode, 'url' | 'cpuSeconds'>

export interface LoadTarget {
  /** Names the target in figures. */
  name: string
  node: LoadServer
  path: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

export interface LoadResult {
  requests: number
  perSecond: number
  /** The node's CPU time per answered request, in microseconds. */
  cpuMicros: number
  p50Ms: number
  p99Ms: number
}

export interface LoadOptions {
  connections: number
  seconds: number
}

/** A GraphQL POST with a bearer token. */
export function graphqlTarget(
  name: string,
  node: LoadServer,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): LoadTarget {
  return {
    name,
    node,
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  }
}

/** One round of load; fails if any request errs or answers other than 2xx. */
export async function load(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  const cpuBefore = await target.node.cpuSeconds()
  const result = await autocannon({
    url: `${target.node.url}${target.path}`,
    method: target.method ?? 'GET',
    ...(target.headers ? { headers: target.headers } : {}),
    ...(target.body === undefined ? {} : { body: target.body }),
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
  })
  const cpuAfter = await target.node.cpuSeconds()
  const answered = result['2xx']
  if (result.errors > 0 || result.non2xx > 0 || answered === 0) {
    throw new Error(
      `${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers of ${answered + result.non2xx}`,
    )
  }
  return {
    requests: answered,
    perSecond: answered / result.duration,
    cpuMicros: ((cpuAfter - cpuBefore) * 1e6) / answered,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  }
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

export interface Comparison {
  /** Requests answered during the warm-up, not in the rounds. */
  warmupRequests: number
  subject: LoadResult[]
  baseline: LoadResult[]
  /** Medians over the rounds. */
  subjectMedian: LoadResult
  baselineMedian: LoadResult
  /** Median over the rounds of subject / baseline, per field. */
  ratio: { perSecond: number; cpuMicros: number; p50Ms: number }
}

function medianResult(results: readonly LoadResult[]): LoadResult {
  const of = (key: keyof LoadResult) => median(results.map((result) => result[key]))
  return {
    requests: of('requests'),
    perSecond: of('perSecond'),
    cpuMicros: of('cpuMicros'),
    p50Ms: of('p50Ms'),
    p99Ms: of('p99Ms'),
  }
}

export interface CompareOptions extends LoadOptions {
  rounds: number
  /** Seconds of unmeasured load on each target first (JIT, caches, connection pools). */
  warmupSeconds: number
  log?: (message: string) => void
}

/** Alternates subject and baseline rounds (the baseline first in odd rounds, last in even ones). */
export async function compare(
  subject: LoadTarget,
  baseline: LoadTarget,
  options: CompareOptions,
): Promise<Comparison> {
  let warmupRequests = 0
  for (const target of [baseline, subject]) {
    const warmup = await load(target, { connections: options.connections, seconds: options.warmupSeconds })
    warmupRequests += warmup.requests
  }
  const subjectRounds: LoadResult[] = []
  const baselineRounds: LoadResult[] = []
  const describe = (result: LoadResult) =>
    `${Math.round(result.perSecond)} req/s, ${result.cpuMicros.toFixed(0)} us CPU/req, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? [baseline, subject] : [subject, baseline]
    for (const target of order) {
      const result = await load(target, options)
      ;(target === subject ? subjectRounds : baselineRounds).push(result)
      options.log?.(`round ${round + 1}/${options.rounds} ${target.name}: ${describe(result)}`)
    }
  }
  const ratios = subjectRounds.map((result, index) => {
    const base = baselineRounds[index] as LoadResult
    return {
      perSecond: result.perSecond / base.perSecond,
      cpuMicros: result.cpuMicros / base.cpuMicros,
      p50Ms: result.p50Ms / Math.max(base.p50Ms, 0.001),
    }
  })
  return {
    warmupRequests,
    subject: subjectRounds,
    baseline: baselineRounds,
    subjectMedian: medianResult(subjectRounds),
    baselineMedian: medianResult(baselineRounds),
    ratio: {
      perSecond: median(ratios.map((ratio) => ratio.perSecond)),
      cpuMicros: median(ratios.map((ratio) => ratio.cpuMicros)),
      p50Ms: median(ratios.map((ratio) => ratio.p50Ms)),
    },
  }
}

/** Load settings by mode: short in `--quick`, where only working matters. */
export function loadSettings(quick: boolean): CompareOptions {
  return quick
    ? { connections: 8, seconds: 1, rounds: 2, warmupSeconds: 1 }
    : { connections: 8, seconds: 6, rounds: 5, warmupSeconds: 3 }
}
