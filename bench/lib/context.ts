/**
 * What the runner hands every benchmark: the mode, a scratch folder, a way to record figures, a
 * cache of resources that several benchmarks share (a seeded database, a running node), and the
 * clean-up list that runs when the run ends, however it ends.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** A goal from issue 8: the ratio must be at most (or at least) this. */
export interface Goal {
  text: string
  met: boolean
}

/** One measured figure, printed beside its baseline from the same run. */
export interface Figure {
  benchmark: string
  /** What was measured, e.g. "one-record read, requests/s". */
  name: string
  value: number
  unit: string
  baseline?: { name: string; value: number }
  /** value / baseline (or what the benchmark defines), the number that compares across machines. */
  ratio?: number
  goal?: Goal
  /** How the figure was obtained, in a few words (rounds, connections, spread). */
  note?: string
}

export interface BenchContext {
  readonly quick: boolean
  /** A folder of this run's own, removed at the end. */
  readonly scratch: string
  log(message: string): void
  record(figure: Figure): void
  /** Runs `fn` at the end of the run (last registered, first run), also on failure or a signal. */
  defer(fn: () => Promise<void> | void): void
  /**
   * One resource per key for the whole run: the first caller creates it, later benchmarks reuse it
   * (the 1M-case database the seed benchmark wrote serves the statistics benchmark, for example).
   */
  shared<T>(key: string, create: () => Promise<T>): Promise<T>
}

export interface Benchmark {
  /** The file name without `.ts`; `--only` selects by it. */
  name: string
  title: string
  run(context: BenchContext): Promise<void>
}

export interface RunState {
  context: BenchContext
  figures: Figure[]
  cleanup(): Promise<void>
}

export async function createRunState(quick: boolean): Promise<RunState> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'jaring-bench-'))
  const figures: Figure[] = []
  const deferred: Array<() => Promise<void> | void> = [() => rm(scratch, { recursive: true, force: true })]
  const resources = new Map<string, Promise<unknown>>()
  let cleaning: Promise<void> | undefined
  const context: BenchContext = {
    quick,
    scratch,
    log: (message) => process.stderr.write(`  ${message}\n`),
    record: (figure) => {
      figures.push(figure)
    },
    defer: (fn) => {
      deferred.push(fn)
    },
    shared<T>(key: string, create: () => Promise<T>): Promise<T> {
      let resource = resources.get(key)
      if (!resource) {
        resource = create()
        resources.set(key, resource)
      }
      return resource as Promise<T>
    },
  }
  async function cleanup(): Promise<void> {
    cleaning ??= (async () => {
      while (deferred.length > 0) {
        const fn = deferred.pop() as () => Promise<void> | void
        try {
          await fn()
        } catch (error) {
          process.stderr.write(`bench: clean-up step failed: ${(error as Error).message}\n`)
        }
      }
    })()
    await cleaning
  }
  return { context, figures, cleanup }
}
