/**
 * `npm run bench`: runs the benchmarks in order on real nodes over PostgreSQL and prints every
 * figure beside its baseline from the same run. The full run writes docs/benchmarks.md;
 * `npm run bench -- --quick` runs small versions (CI runs it so the suite keeps working; it asserts
 * nothing about speed).
 *
 *   --quick          small datasets and short rounds, under two minutes
 *   --only a,b       run only these benchmarks (by file name), in the usual order
 *   --out <file>     where to write the report (default: docs/benchmarks.md in the full run only)
 *
 * A benchmark is one file, bench/<name>.ts, exporting `name`, `title` and `run(context)`, listed
 * below. The context (lib/context.ts) gives it the mode, scratch space, shared resources (seeded
 * databases, running nodes: lib/datasets.ts) and clean-up; lib/load.ts gives alternating-round
 * comparisons under autocannon.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import * as auditCost from './audit-cost.ts'
import * as fanout from './fanout.ts'
import * as importBench from './import.ts'
import { repoRoot } from './lib/cli.ts'
import { type Benchmark, createRunState } from './lib/context.ts'
import { describeMachine, printFigures, renderMarkdown } from './lib/report.ts'
import * as lookup from './lookup.ts'
import * as memory from './memory.ts'
import * as nodeCost from './node-cost.ts'
import * as seed from './seed.ts'
import * as statistics from './statistics.ts'

/** In order: later benchmarks reuse what earlier ones made (the seeded database, the nodes). */
const benchmarks: readonly Benchmark[] = [
  seed,
  nodeCost,
  auditCost,
  fanout,
  statistics,
  lookup,
  importBench,
  memory,
]

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
})
const quick = values.quick ?? false
const only = values.only?.split(',').map((name) => name.trim())
const unknown = only?.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name)) ?? []
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark named ${unknown.join(', ')}; there are ${benchmarks.map((b) => b.name).join(', ')}\n`,
  )
  process.exit(64)
}
const selected = benchmarks.filter((benchmark) => !only || only.includes(benchmark.name))
const out = values.out ?? (quick || only ? undefined : path.join(repoRoot, 'docs/benchmarks.md'))

const started = performance.now()
const date = new Date()
const state = await createRunState(quick)
let signalled = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    signalled = true
    process.stderr.write(`bench: ${signal}, cleaning up ...\n`)
    void state.cleanup().finally(() => process.exit(130))
  })
}

const failures: string[] = []
try {
  const machine = await describeMachine()
  process.stderr.write(
    `bench (${quick ? 'quick' : 'full'}): ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}\n`,
  )
  for (const benchmark of selected) {
    if (signalled) break
    const benchmarkStarted = performance.now()
    process.stderr.write(`\n== ${benchmark.name}: ${benchmark.title}\n`)
    const before = state.figures.length
    try {
      await benchmark.run(state.context)
      process.stdout.write(printFigures(state.figures.slice(before)))
    } catch (error) {
      const message = `${benchmark.name}: ${(error as Error).stack ?? String(error)}`
      failures.push(message.split('\n')[0] as string)
      process.stderr.write(`bench: ${message}\n`)
    }
    process.stderr.write(`   (${((performance.now() - benchmarkStarted) / 1000).toFixed(1)} s)\n`)
  }
  const durationMs = performance.now() - started
  if (out && !signalled) {
    await writeFile(out, renderMarkdown({ figures: state.figures, machine, date, durationMs, failures }))
    process.stderr.write(`\nbench: wrote ${path.relative(process.cwd(), out)}\n`)
  }
  process.stderr.write(`bench: done in ${(durationMs / 1000).toFixed(1)} s\n`)
} catch (error) {
  failures.push(String(error))
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`)
} finally {
  await state.cleanup()
}
process.exitCode = failures.length > 0 ? 1 : 0
