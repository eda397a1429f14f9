/**
 * Identifier lookup (issue 8, figure 4) over 10,000,000 identifiers (200,000 in `--quick`): the
 * seeded database topped up with COPY (lib/identifiers.ts, its rate a figure of its own), then
 *
 * - one identifier through GraphQL (`persons(filter: { identifier })`, a liaison token, policy and
 *   audit as always) against the same identifier looked up with a prepared `pg` statement from this
 *   process, one request at a time in alternating rounds, a different identifier every time;
 * - 1,000 identifiers in one request (`persons(filter: { identifiers })`, 100 of them held by a
 *   person, 900 unknown, as a batch hit/no-hit check goes) against the same 1,000 in one prepared
 *   `= ANY($1)` statement.
 */
import type { BenchContext } from './lib/context.ts'
import { datasetCases, seededDatabase, sharedNode } from './lib/datasets.ts'
import { generatedPassport, identifierSet } from './lib/identifiers.ts'
import { median } from './lib/load.ts'
import type { BenchNode } from './lib/node.ts'
import { withClient } from './lib/postgres.ts'

export const name = 'lookup'
export const title = 'Identifier lookup over 10,000,000 identifiers, one and 1,000 at a time'

const singleQuery = `query Lookup($value: String!) {
  persons(filter: { identifier: { kind: PASSPORT, value: $value } }, first: 5) { nodes { id } }
}`

export const batchQuery = `query Batch($identifiers: [IdentifierLookup!]) {
  persons(filter: { identifiers: $identifiers }, first: 100) {
    nodes { id identifiers { kind normalised } }
    pageInfo { hasNextPage }
  }
}`

const batchSize = 1_000
const batchHits = 100

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number
}

const round2 = (value: number) => Math.round(value * 100) / 100

async function timedGraphql(
  node: BenchNode,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ ms: number; persons: Array<{ id: string }>; hasNextPage?: boolean }> {
  const started = performance.now()
  const response = await fetch(`${node.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  })
  const answer = (await response.json()) as {
    data?: { persons?: { nodes: Array<{ id: string }>; pageInfo?: { hasNextPage: boolean } } }
    errors?: unknown
  }
  const ms = performance.now() - started
  if (response.status !== 200 || answer.errors || !answer.data?.persons) {
    throw new Error(`lookup answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`)
  }
  return {
    ms,
    persons: answer.data.persons.nodes,
    ...(answer.data.persons.pageInfo ? { hasNextPage: answer.data.persons.pageInfo.hasNextPage } : {}),
  }
}

export async function run(context: BenchContext): Promise<void> {
  const seeded = await seededDatabase(context, 'TH-RTP', datasetCases(context.quick))
  const target = context.quick ? 200_000 : 10_000_000
  const set = await identifierSet(context, seeded, target)
  const rate = set.added / (set.wallMs / 1000)
  context.record({
    benchmark: name,
    name: `${set.added.toLocaleString('en-US')} identifiers added with COPY: rows per second`,
    value: rate,
    unit: 'rows/s',
    baseline: { name: 'the COPY alone, indexes dropped', value: set.added / (set.copyMs / 1000) },
    ratio: set.copyMs / set.wallMs,
    note: `${set.total.toLocaleString('en-US')} identifiers in the table after it; the whole load ${(set.wallMs / 1000).toFixed(1)} s: COPY ${(set.copyMs / 1000).toFixed(1)} s with the table's indexes and constraints dropped, then ${(set.rebuildMs / 1000).toFixed(1)} s rebuilding its three indexes, adding back and validating the foreign key, ANALYZE`,
  })

  const node = await sharedNode(context, 'TH-RTP-audited', {
    agency: 'TH-RTP',
    databaseUrl: seeded.url,
    label: 'th-rtp-audited',
  })
  const token = await node.token('liaison')
  const randomIndex = () => Math.floor(Math.random() * set.added)
  const holderOf = (index: number) => `${seeded.agency}:${set.holders[index % set.holders.length]}`

  // The answer names the holder (the check that the lookup finds what was written).
  const probe = randomIndex()
  const found = await timedGraphql(node, token, singleQuery, { value: generatedPassport(probe) })
  if (!found.persons.some((person) => person.id === holderOf(probe))) {
    throw new Error(`the lookup of ${generatedPassport(probe)} did not find ${holderOf(probe)}`)
  }

  await withClient(seeded.url, async (client) => {
    const rawSingle = async (value: string) => {
      const started = performance.now()
      const result = await client.query({
        name: 'bench-lookup-one',
        text: 'SELECT person_id FROM identifiers WHERE kind = $1 AND normalised = $2',
        values: ['PASSPORT', value],
      })
      const ms = performance.now() - started
      if (result.rows.length === 0) throw new Error(`raw lookup found no ${value}`)
      return ms
    }
    const rawBatch = async (values: readonly string[]) => {
      const started = performance.now()
      const result = await client.query({
        name: 'bench-lookup-many',
        text: 'SELECT person_id, normalised FROM identifiers WHERE kind = $1 AND normalised = ANY($2::text[])',
        values: ['PASSPORT', values],
      })
      const ms = performance.now() - started
      if (result.rows.length < batchHits) throw new Error(`raw batch found ${result.rows.length} rows`)
      return ms
    }

    // One at a time, alternating rounds of GraphQL and raw lookups.
    const rounds = context.quick ? 2 : 5
    const perRound = context.quick ? 100 : 400
    for (let warm = 0; warm < 50; warm++) {
      await timedGraphql(node, token, singleQuery, { value: generatedPassport(randomIndex()) })
      await rawSingle(generatedPassport(randomIndex()))
    }
    const graphqlMs: number[] = []
    const rawMs: number[] = []
    const roundRatios: number[] = []
    for (let round = 0; round < rounds; round++) {
      const g: number[] = []
      const r: number[] = []
      const runGraphql = async () => {
        for (let i = 0; i < perRound; i++)
          g.push(
            (await timedGraphql(node, token, singleQuery, { value: generatedPassport(randomIndex()) })).ms,
          )
      }
      const runRaw = async () => {
        for (let i = 0; i < perRound; i++) r.push(await rawSingle(generatedPassport(randomIndex())))
      }
      if (round % 2 === 0) {
        await runRaw()
        await runGraphql()
      } else {
        await runGraphql()
        await runRaw()
      }
      graphqlMs.push(...g)
      rawMs.push(...r)
      roundRatios.push(median(g) / median(r))
    }
    const singleRatio = median(roundRatios)
    context.record({
      benchmark: name,
      name: 'one identifier through GraphQL: median latency',
      value: round2(median(graphqlMs)),
      unit: 'ms',
      baseline: { name: 'prepared pg lookup from Node', value: round2(median(rawMs)) },
      ratio: singleRatio,
      goal: { text: 'at most 3x', met: singleRatio <= 3 },
      note: `${rounds} alternating rounds of ${perRound} lookups one at a time, a random identifier of ${set.total.toLocaleString('en-US')} each time; p99 ${round2(percentile(graphqlMs, 0.99))} ms against ${round2(percentile(rawMs, 0.99))} ms; the GraphQL request also checks the token, applies the policy to person and identifier and commits an audit row`,
    })

    // What any audited request pays before it may answer, whatever it reads: a transaction that
    // locks a one-row head, inserts a row and commits (the WAL flushed), as the audit append does.
    await client.query('CREATE TABLE bench_commit_head (id int PRIMARY KEY, seq bigint NOT NULL)')
    await client.query('CREATE TABLE bench_commit_rows (seq bigint PRIMARY KEY, body text NOT NULL)')
    try {
      await client.query('INSERT INTO bench_commit_head VALUES (1, 0)')
      const append = async () => {
        const started = performance.now()
        await client.query('BEGIN')
        const head = await client.query({
          name: 'bench-commit-lock',
          text: 'SELECT seq FROM bench_commit_head WHERE id = 1 FOR UPDATE',
        })
        const seq = Number(head.rows[0]?.seq) + 1
        await client.query({
          name: 'bench-commit-insert',
          text: 'WITH moved AS (UPDATE bench_commit_head SET seq = $1 WHERE id = 1) INSERT INTO bench_commit_rows VALUES ($1, $2)',
          values: [seq, 'x'.repeat(600)],
        })
        await client.query('COMMIT')
        return performance.now() - started
      }
      for (let warm = 0; warm < 20; warm++) await append()
      const appends: number[] = []
      for (let index = 0; index < perRound; index++) appends.push(await append())
      context.record({
        benchmark: name,
        name: "an audit append's floor (lock a head, insert, commit) through pg: median latency",
        value: round2(median(appends)),
        unit: 'ms',
        baseline: { name: 'prepared pg lookup from Node', value: round2(median(rawMs)) },
        note: `${perRound} transactions one at a time on the same database: what every audited request waits for before its answer (docs/performance.md); p99 ${round2(percentile(appends, 0.99))} ms`,
      })
    } finally {
      await client.query('DROP TABLE bench_commit_rows, bench_commit_head')
    }

    // 1,000 at a time: 100 held by a person, 900 unknown (numbers past the written ones).
    const batch = () => {
      const values = new Set<string>()
      while (values.size < batchHits) values.add(generatedPassport(randomIndex()))
      while (values.size < batchSize)
        values.add(generatedPassport(set.added + Math.floor(Math.random() * (99_999_999 - set.added))))
      return [...values].sort(() => Math.random() - 0.5)
    }
    const asGraphql = (values: readonly string[]) => ({
      identifiers: values.map((value) => ({ kind: 'PASSPORT', value })),
    })
    const first = await timedGraphql(node, token, batchQuery, asGraphql(batch()))
    if (first.persons.length === 0) throw new Error('the batch lookup found nobody')
    const batches = context.quick ? 10 : 60
    for (let warm = 0; warm < 5; warm++) {
      await timedGraphql(node, token, batchQuery, asGraphql(batch()))
      await rawBatch(batch())
    }
    const batchGraphql: number[] = []
    const batchRaw: number[] = []
    let personsFound = 0
    for (let index = 0; index < batches; index++) {
      const values = batch()
      const answer = await timedGraphql(node, token, batchQuery, asGraphql(values))
      batchGraphql.push(answer.ms)
      personsFound += answer.persons.length
      batchRaw.push(await rawBatch(values))
    }
    const batchMedian = median(batchGraphql)
    context.record({
      benchmark: name,
      name: '1,000 identifiers in one GraphQL request: median latency',
      value: round2(batchMedian),
      unit: 'ms',
      baseline: { name: 'the same 1,000 in one prepared pg = ANY($1)', value: round2(median(batchRaw)) },
      ratio: batchMedian / median(batchRaw),
      goal: { text: 'at most 25 ms', met: batchMedian <= 25 },
      note: `${batches} requests one at a time, each of ${batchSize.toLocaleString('en-US')} identifiers (${batchHits} held by a person, the rest unknown), persons(filter: { identifiers }, first: 100) with each person's identifiers; ${(personsFound / batches).toFixed(0)} persons per answer; p99 ${round2(percentile(batchGraphql, 0.99))} ms`,
    })
  })
}
