/**
 * The cost of auditing (issue 8, figure 1, second half): the same one-record read on the audited
 * node against a node over the same database with `audit.enabled: false`, in alternating rounds.
 */
import type { BenchContext } from './lib/context.ts'
import { datasetCases, seededDatabase, sharedNode } from './lib/datasets.ts'
import { compare, graphqlTarget, loadSettings } from './lib/load.ts'
import { readablePersonId, recordQuery } from './lib/reads.ts'

export const name = 'audit-cost'
export const title = 'Audit cost: the audited read against the same read with auditing off'

export async function run(context: BenchContext): Promise<void> {
  const seeded = await seededDatabase(context, 'TH-RTP', datasetCases(context.quick))
  const audited = await sharedNode(context, 'TH-RTP-audited', {
    agency: 'TH-RTP',
    databaseUrl: seeded.url,
    label: 'th-rtp-audited',
  })
  const unaudited = await sharedNode(context, 'TH-RTP-unaudited', {
    agency: 'TH-RTP',
    databaseUrl: seeded.url,
    label: 'th-rtp-unaudited',
    audit: false,
  })
  const auditedToken = await audited.token('liaison')
  const unauditedToken = await unaudited.token('liaison')
  const id = await readablePersonId(audited, auditedToken)
  await readablePersonId(unaudited, unauditedToken)
  const settings = loadSettings(context.quick)
  const result = await compare(
    graphqlTarget('audited read', audited, auditedToken, recordQuery, { id }),
    graphqlTarget('read, audit off', unaudited, unauditedToken, recordQuery, { id }),
    { ...settings, log: context.log },
  )
  const rounds = `median of ${settings.rounds} alternating rounds of ${settings.seconds} s, ${settings.connections} connections`
  const ratio = result.ratio.perSecond
  context.record({
    benchmark: name,
    name: 'audited one-record read: requests/s',
    value: result.subjectMedian.perSecond,
    unit: 'req/s',
    baseline: { name: 'same read, audit.enabled: false', value: result.baselineMedian.perSecond },
    ratio,
    goal: { text: 'at least 0.5', met: ratio >= 0.5 },
    note: `${rounds}; both nodes on one PostgreSQL database; p50 ${result.subjectMedian.p50Ms} ms against ${result.baselineMedian.p50Ms} ms, p99 ${result.subjectMedian.p99Ms} ms against ${result.baselineMedian.p99Ms} ms`,
  })
  context.record({
    benchmark: name,
    name: 'audited one-record read: node CPU per request',
    value: result.subjectMedian.cpuMicros,
    unit: 'us',
    baseline: { name: 'same read, audit.enabled: false', value: result.baselineMedian.cpuMicros },
    ratio: result.ratio.cpuMicros,
    note: "the node process's own CPU only; PostgreSQL's work for the audit commit is not in it",
  })
}
