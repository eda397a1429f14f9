/**
 * Node cost (issue 8, figure 1): an authenticated, policy-filtered one-record GraphQL read against
 * bare fastify + mercurius `{ hello }` with jit (lib/bare-mercurius.ts, a process of its own), in
 * alternating rounds: the server's CPU time per request from its own accounting, and requests per
 * second. The node's own `{ __typename }` against the same baseline shows what the node's request
 * path costs before any record is read (token check, limits, context, audit row).
 */
import { helloQuery, startBareMercurius } from './lib/bare-mercurius.ts'
import type { BenchContext } from './lib/context.ts'
import { datasetCases, seededDatabase, sharedNode } from './lib/datasets.ts'
import { type Comparison, compare, graphqlTarget, type LoadTarget, loadSettings } from './lib/load.ts'
import { auditRows, readablePersonId, recordQuery, typenameQuery } from './lib/reads.ts'

export const name = 'node-cost'
export const title = 'Node cost: a one-record read against bare mercurius { hello } with jit'

const bareName = 'bare mercurius { hello }, jit'

export async function run(context: BenchContext): Promise<void> {
  const seeded = await seededDatabase(context, 'TH-RTP', datasetCases(context.quick))
  const node = await sharedNode(context, 'TH-RTP-audited', {
    agency: 'TH-RTP',
    databaseUrl: seeded.url,
    label: 'th-rtp-audited',
  })
  const bare = await startBareMercurius(context)
  const token = await node.token('liaison')
  const id = await readablePersonId(node, token)
  const read = graphqlTarget('record(id:) read', node, token, recordQuery, { id })
  const typename = graphqlTarget('{ __typename }', node, token, typenameQuery)
  const hello: LoadTarget = {
    name: bareName,
    node: bare,
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: helloQuery }),
  }
  const settings = loadSettings(context.quick)
  const rowsBefore = await auditRows(seeded.url)
  const readResult = await compare(read, hello, { ...settings, log: context.log })
  // In --quick, one round: the figure only has to work there.
  const typenameResult = await compare(typename, hello, {
    ...settings,
    ...(context.quick ? { rounds: 1 } : {}),
    log: context.log,
  })
  const rowsWritten = (await auditRows(seeded.url)) - rowsBefore
  const nodeRequests = (result: Comparison) => result.subject.reduce((sum, round) => sum + round.requests, 0)
  const requests =
    nodeRequests(readResult) +
    nodeRequests(typenameResult) +
    readResult.warmupRequests / 2 +
    typenameResult.warmupRequests / 2
  const rounds = `median of ${settings.rounds} alternating rounds of ${settings.seconds} s, ${settings.connections} connections`
  const cases = `${seeded.cases.toLocaleString('en-US')} cases seeded`

  const cpuRatio = readResult.ratio.cpuMicros
  context.record({
    benchmark: name,
    name: 'one-record read (liaison token): server CPU per request',
    value: readResult.subjectMedian.cpuMicros,
    unit: 'us',
    baseline: { name: bareName, value: readResult.baselineMedian.cpuMicros },
    ratio: cpuRatio,
    goal: { text: 'at most 2x', met: cpuRatio <= 2 },
    note: `user + system CPU of each server process from its own process.cpuUsage() over each round (the node's /metrics, the bare server's /cpu); ${rounds}; ${cases}; ${(rowsWritten / Math.max(1, requests)).toFixed(2)} audit rows per node request (every node query is audited)`,
  })
  context.record({
    benchmark: name,
    name: 'one-record read (liaison token): requests/s',
    value: readResult.subjectMedian.perSecond,
    unit: 'req/s',
    baseline: { name: bareName, value: readResult.baselineMedian.perSecond },
    ratio: readResult.ratio.perSecond,
    note: `${rounds}; p50 ${readResult.subjectMedian.p50Ms} ms against ${readResult.baselineMedian.p50Ms} ms; load and PostgreSQL share the machine's 2 cores with the server`,
  })
  context.record({
    benchmark: name,
    name: 'node { __typename } (liaison token): server CPU per request',
    value: typenameResult.subjectMedian.cpuMicros,
    unit: 'us',
    baseline: { name: bareName, value: typenameResult.baselineMedian.cpuMicros },
    ratio: typenameResult.ratio.cpuMicros,
    note: `the node's request path without a record: token check (cached), limits, context with the policy decision, one audit row; ${rounds}`,
  })
  context.record({
    benchmark: name,
    name: 'one-record read against the node { __typename }: CPU per request',
    value: readResult.subjectMedian.cpuMicros,
    unit: 'us',
    baseline: { name: 'same node, { __typename }', value: typenameResult.subjectMedian.cpuMicros },
    ratio: readResult.subjectMedian.cpuMicros / typenameResult.subjectMedian.cpuMicros,
    note: 'what reading the record adds: the medians of the two comparisons above (not the same rounds)',
  })
}
