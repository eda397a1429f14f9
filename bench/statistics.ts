/**
 * Statistics (issue 8, figure 3; issue 7's scale target) over the run's seeded cases (1,000,000 of
 * TH-RTP in the full run), on PostgreSQL:
 *
 * 1. The secretariat's table at the node that holds the cases, end to end through GraphQL
 *    (token, scopes, policy, SQL, suppression, audit commit), against the same aggregate in raw
 *    SQL through pg: the node's own two statements over its rollups, prepared, run in parallel as
 *    the node runs them; and, to show what the rollups save, the same counts scanned from the
 *    records. Requests one at a time, so each figure is one question's latency.
 * 2. The same table asked for the whole federation: VN-MPS (a member, small dataset) asks TH-RTP
 *    (the seeded cases) and HK-HKPF (small) with a reach, over real HTTP with real signatures and
 *    the demo's policies, and merges. The issue's target: well under a second.
 */
import pg from 'pg'
import type { BenchContext } from './lib/context.ts'
import { datasetCases, seededDatabase } from './lib/datasets.ts'
import { startBenchFederation, untilFederated } from './lib/federation.ts'
import { median } from './lib/load.ts'
import type { BenchNode } from './lib/node.ts'

export const name = 'statistics'
export const title = 'Statistics: the secretariat’s table through GraphQL against raw SQL, and federated'

const filter = { fromMonth: '2024-01', toMonth: '2025-12' }
const query = `query ($filter: StatisticsFilter, $reach: Reach) {
  statistics(measures: [CASES_OPENED, VICTIMS], groupBy: [CRIME_CATEGORY, YEAR], filter: $filter, reach: $reach) {
    merged { agencies cells { measure crimeCategory year value suppressed complete } totals { measure value complete } }
    peers { agency status latencyMs code }
  }
}`

/** What the node counts for its own secretariat token: its records up to TLP AMBER. */
const countedLevels = ['CLEAR', 'GREEN', 'AMBER']
const rollupCasesOpened = {
  name: 'bench_rollup_cases_opened',
  text: `SELECT crime_category, month, sum(cases)::int AS value FROM stats_case_counts
    WHERE agency = $1 AND measure = 'OPENED' AND tlp = ANY($2::tlp[]) AND month >= $3 AND month <= $4
    GROUP BY crime_category, month`,
}
const rollupVictims = {
  name: 'bench_rollup_victims',
  text: `SELECT crime_category, month, sum(persons)::int AS value FROM stats_person_counts
    WHERE agency = $1 AND measure = 'VICTIM' AND tlp = ANY($2::tlp[]) AND min_case_tlp = ANY($2::tlp[])
      AND month >= $3 AND month <= $4
    GROUP BY crime_category, month`,
}
const casesOpened = {
  name: 'bench_cases_opened',
  text: `SELECT crime_category, opened_month, count(*) AS value FROM cases
    WHERE agency = $1 AND tlp = ANY($2::tlp[]) AND opened_month >= $3 AND opened_month <= $4
    GROUP BY crime_category, opened_month`,
}
const victims = {
  name: 'bench_victims',
  text: `SELECT c.crime_category, c.opened_month, count(DISTINCT p.id) AS value FROM case_persons cp
    JOIN cases c ON c.id = cp.case_id JOIN persons p ON p.id = cp.person_id
    WHERE p.agency = $1 AND c.agency = $1 AND p.tlp = ANY($2::tlp[]) AND c.tlp = ANY($2::tlp[])
      AND cp.role = 'VICTIM' AND c.opened_month >= $3 AND c.opened_month <= $4
    GROUP BY c.crime_category, c.opened_month`,
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number
}

async function timed(count: number, fn: () => Promise<void>): Promise<number[]> {
  for (let warm = 0; warm < 3; warm++) await fn()
  const times: number[] = []
  for (let index = 0; index < count; index++) {
    const started = performance.now()
    await fn()
    times.push(performance.now() - started)
  }
  return times
}

interface StatisticsAnswer {
  merged: { agencies: string[]; totals: { measure: string; value: number }[] }
  peers: { agency: string; status: string; latencyMs: number | null; code: string | null }[]
}

async function askStatistics(
  node: BenchNode,
  token: string,
  variables: Record<string, unknown>,
): Promise<StatisticsAnswer> {
  const answer = await node.graphql(query, variables, token)
  const statistics = answer.data?.statistics as StatisticsAnswer | undefined
  if (answer.errors?.length || !statistics)
    throw new Error(`${node.label}: statistics failed: ${JSON.stringify(answer.errors)}`)
  return statistics
}

/** VN (a member) asks; TH holds the seeded cases; HK, a partner, a small dataset, like VN. */
async function statisticsFederation(context: BenchContext, thDatabase: string, smallCases: number) {
  const small = async (agency: string) => (await seededDatabase(context, agency, smallCases)).url
  return startBenchFederation(context, 'statistics', [
    { agency: 'TH-RTP', name: 'Royal Thai Police', country: 'TH', role: 'member', databaseUrl: thDatabase },
    {
      agency: 'VN-MPS',
      name: 'Ministry of Public Security',
      country: 'VN',
      role: 'member',
      databaseUrl: await small('VN-MPS'),
    },
    {
      agency: 'HK-HKPF',
      name: 'Hong Kong Police Force',
      country: 'HK',
      role: 'partner',
      databaseUrl: await small('HK-HKPF'),
    },
  ])
}

export async function run(context: BenchContext): Promise<void> {
  const cases = datasetCases(context.quick)
  const seeded = await seededDatabase(context, 'TH-RTP', cases)
  const count = context.quick ? 8 : 40
  const nodes = await statisticsFederation(context, seeded.url, context.quick ? 200 : 20_000)
  const th = nodes.get('TH-RTP') as BenchNode
  const vn = nodes.get('VN-MPS') as BenchNode
  const thToken = await th.token('secretariat')
  const vnToken = await vn.token('secretariat')

  await untilFederated(
    async () => (await askStatistics(vn, vnToken, { filter, reach: { all: true } })).peers,
    name,
  )

  const local = await askStatistics(th, thToken, { filter })
  const counted = local.merged.totals.find((total) => total.measure === 'CASES_OPENED')?.value ?? 0
  const graphqlTimes = await timed(count, async () => {
    await askStatistics(th, thToken, { filter })
  })

  const pool = new pg.Pool({ connectionString: seeded.url, max: 2, application_name: 'jaring-bench' })
  context.defer(() => pool.end())
  const parameters = ['TH-RTP', countedLevels, `${filter.fromMonth}-01`, `${filter.toMonth}-01`]
  const sqlTimes = await timed(count, async () => {
    await Promise.all([
      pool.query({ ...rollupCasesOpened, values: parameters }),
      pool.query({ ...rollupVictims, values: parameters }),
    ])
  })
  const scanTimes = await timed(context.quick ? 3 : 5, async () => {
    await Promise.all([
      pool.query({ ...casesOpened, values: parameters }),
      pool.query({ ...victims, values: parameters }),
    ])
  })

  const federatedTimes = await timed(count, async () => {
    const answer = await askStatistics(vn, vnToken, { filter, reach: { all: true } })
    if (answer.peers.some((peer) => peer.status !== 'ANSWERED'))
      throw new Error(`a peer did not answer: ${JSON.stringify(answer.peers)}`)
  })

  const round = (value: number) => Math.round(value * 10) / 10
  const graphqlMedian = median(graphqlTimes)
  const sqlMedian = median(sqlTimes)
  const label = `${cases.toLocaleString('en-US')} cases`
  const ratio = graphqlMedian / sqlMedian
  context.record({
    benchmark: name,
    name: `secretariat's table over ${label} through GraphQL: median latency`,
    value: round(graphqlMedian),
    unit: 'ms',
    baseline: {
      name: 'the node’s two statements over its rollups, prepared, through pg',
      value: round(sqlMedian),
    },
    ratio,
    goal: { text: 'at most 1.5x', met: ratio <= 1.5 },
    note: `cases opened and victims by crime category and year, 2024-01 to 2025-12 (${counted.toLocaleString('en-US')} cases released after suppression); ${count} requests one at a time after 3 to warm up; the GraphQL figure includes the token, policy, suppression and the audit commit`,
  })
  const scanMedian = median(scanTimes)
  context.record({
    benchmark: name,
    name: `the same counts scanned from the records over ${label}, through pg: median latency`,
    value: round(scanMedian),
    unit: 'ms',
    baseline: { name: 'the same counts from the rollups, through pg', value: round(sqlMedian) },
    ratio: scanMedian / sqlMedian,
    note: 'what the rollups save: cases by category and opening month, and distinct victims joined through case_persons, cases and persons',
  })
  const federatedMedian = median(federatedTimes)
  const federatedP95 = percentile(federatedTimes, 0.95)
  context.record({
    benchmark: name,
    name: `the same table federated (VN asking TH with ${label}, and HK): median latency`,
    value: round(federatedMedian),
    unit: 'ms',
    baseline: { name: 'TH answering its own table through GraphQL', value: round(graphqlMedian) },
    ratio: federatedMedian / graphqlMedian,
    goal: { text: 'well under a second (p95 under 1,000 ms)', met: federatedP95 < 1_000 },
    note: `p95 ${round(federatedP95)} ms; three nodes on PostgreSQL with the demo's policies, real HTTP and signatures; HK and VN hold ${(context.quick ? 200 : 20_000).toLocaleString('en-US')} cases each`,
  })
}
