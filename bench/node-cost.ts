/**
 * Node cost (issue 8, figure 1): an authenticated one-record GraphQL read against the same node's
 * `{ __typename }`, in alternating rounds: requests per second, and the node's CPU time per request
 * from its own accounting. Both go through the whole request path (token check, limits, audit row).
 */
import type { BenchContext } from './lib/context.ts'
import { datasetCases, seededDatabase, sharedNode } from './lib/datasets.ts'
import { compare, graphqlTarget, loadSettings } from './lib/load.ts'
import { auditRows, readablePersonId, recordQuery, typenameQuery } from './lib/reads.ts'

export const name = 'node-cost'
export const title = 'Node cost: a one-record read against { __typename }'

export async function run(context: BenchContext): Promise<void> {
  const seeded = await seededDatabase(context, 'TH-RTP', datasetCases(context.quick))
  const node = await sharedNode(context, 'TH-RTP-audited', {
    agency: 'TH-RTP',
    databaseUrl: seeded.url,
    label: 'th-rtp-audited',
  })
  const token = await node.token('liaison')
  const id = await readablePersonId(node, token)
  const read = graphqlTarget('record(id:) read', node, token, recordQuery, { id })
  const typename = graphqlTarget('{ __typename }', node, token, typenameQuery)
  const settings = loadSettings(context.quick)
  const rowsBefore = await auditRows(seeded.url)
  const result = await compare(read, typename, { ...settings, log: context.log })
  const rowsWritten = (await auditRows(seeded.url)) - rowsBefore
  const requests = [...result.subject, ...result.baseline].reduce(
    (sum, round) => sum + round.requests,
    result.warmupRequests,
  )
  const rounds = `median of ${settings.rounds} alternating rounds of ${settings.seconds} s, ${settings.connections} connections`
  const cases = `${seeded.cases.toLocaleString('en-US')} cases seeded`

  context.record({
    benchmark: name,
    name: 'one-record read (liaison token): requests/s',
    value: result.subjectMedian.perSecond,
    unit: 'req/s',
    baseline: { name: 'same node, { __typename }', value: result.baselineMedian.perSecond },
    ratio: result.ratio.perSecond,
    note: `${rounds}; ${cases}; p50 ${result.subjectMedian.p50Ms} ms against ${result.baselineMedian.p50Ms} ms`,
  })
  const cpuRatio = result.ratio.cpuMicros
  context.record({
    benchmark: name,
    name: 'one-record read (liaison token): node CPU per request',
    value: result.subjectMedian.cpuMicros,
    unit: 'us',
    baseline: { name: 'same node, { __typename }', value: result.baselineMedian.cpuMicros },
    ratio: cpuRatio,
    goal: {
      text: 'at most 2x (issue 8 names bare mercurius `{ hello }` with jit as its baseline)',
      met: cpuRatio <= 2,
    },
    note: `user + system CPU from the node's process.cpuUsage() (/metrics) over each round; ${(rowsWritten / requests).toFixed(2)} audit rows per request (both queries are audited)`,
  })
}
