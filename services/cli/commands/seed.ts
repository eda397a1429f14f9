/**
 * `jaring seed`: fills a node's database with one agency's synthetic data, deterministic for a seed.
 * Progress goes to stderr (about every 5 % or 10 s), the summary to stdout.
 */
import type { Command } from 'commander'
import { describeUrl, openDatabase } from '../../../db/open.ts'
import { agencyCodeProblem, demoAgencies } from '../../../db/seed/agencies.ts'
import { maxSeedCases, minSeedCases } from '../../../db/seed/generate.ts'
import { SeedConflictError, type SeedProgress, seedDatabase } from '../../../db/seed/seed.ts'
import { CliError, exitCodes } from '../cli-error.ts'

interface SeedCommandOptions {
  database: string
  agency: string
  cases: string
  seed: string
  chunk: string
  progress: boolean
}

const integer = new Intl.NumberFormat('en-US')

function parseCount(text: string, name: string, min: number, max: number): number {
  const cleaned = text.replaceAll(/[_,]/g, '')
  const value = /^\d+$/.test(cleaned) ? Number(cleaned) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(
      `${name} must be a whole number from ${integer.format(min)} to ${integer.format(max)}, not "${text}"`,
      exitCodes.usage,
    )
  }
  return value
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  return minutes < 60
    ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** Prints a progress line when 5 % more of the cases are in, or 10 s have passed, and at the end. */
function progressPrinter(agency: string): (progress: SeedProgress) => void {
  let lastShare = 0
  let lastAt = 0
  return ({ casesWritten, totalCases, rowsWritten, elapsedMs }) => {
    const share = casesWritten / totalCases
    const finished = casesWritten === totalCases
    if (!finished && share - lastShare < 0.05 && elapsedMs - lastAt < 10_000) return
    lastShare = share
    lastAt = elapsedMs
    const rate = rowsWritten / Math.max(elapsedMs / 1000, 0.001)
    const eta = finished
      ? ''
      : `, about ${duration((elapsedMs / casesWritten) * (totalCases - casesWritten))} left`
    process.stderr.write(
      `seed ${agency}: ${integer.format(casesWritten)}/${integer.format(totalCases)} cases (${Math.floor(share * 100)}%), ` +
        `${integer.format(rowsWritten)} rows, ${integer.format(Math.round(rate))} rows/s${eta}\n`,
    )
  }
}

async function runSeed(options: SeedCommandOptions): Promise<void> {
  const url = options.database.trim()
  if (url === '' || url === 'memory://') {
    throw new CliError(
      '--database must be a postgres:// URL or a PGlite data folder: an in-memory database would vanish on exit',
      exitCodes.usage,
    )
  }
  const problem = agencyCodeProblem(options.agency)
  if (problem) throw new CliError(problem, exitCodes.usage)
  const totalCases = parseCount(options.cases, '--cases', minSeedCases, maxSeedCases)
  const chunkCases = parseCount(options.chunk, '--chunk', 100, 100_000)
  if (options.seed === '') throw new CliError('--seed must not be empty', exitCodes.usage)

  let handle: Awaited<ReturnType<typeof openDatabase>>
  try {
    handle = await openDatabase(url, { applicationName: 'jaring-seed', poolMax: 4 })
  } catch (error) {
    throw new CliError(
      `cannot open the database ${describeUrl(url)}: ${(error as Error).message}`,
      exitCodes.unavailable,
    )
  }
  try {
    if (options.progress) {
      process.stderr.write(
        `seed ${options.agency}: ${integer.format(totalCases)} cases, seed "${options.seed}", into ${handle.location} (${handle.driver})\n`,
      )
    }
    const summary = await seedDatabase(handle, {
      agency: options.agency,
      cases: totalCases,
      seed: options.seed,
      chunkCases,
      ...(options.progress ? { onProgress: progressPrinter(options.agency) } : {}),
    })
    const seconds = summary.elapsedMs / 1000
    const width = Math.max(...Object.keys(summary.rows).map((table) => table.length))
    const lines = [
      `Seeded ${summary.agency} (seed "${summary.seed}") into ${handle.location} in ${duration(summary.elapsedMs)}:`,
      ...Object.entries(summary.rows).map(
        ([table, count]) => `  ${table.padEnd(width)}  ${integer.format(count).padStart(12)}`,
      ),
      `  ${'total rows'.padEnd(width)}  ${integer.format(summary.totalRows).padStart(12)}`,
      `  ${integer.format(Math.round(summary.cases / seconds))} cases/s, ${integer.format(Math.round(summary.totalRows / seconds))} rows/s`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } catch (error) {
    if (error instanceof SeedConflictError) throw new CliError(error.message, exitCodes.dataError)
    throw error
  } finally {
    await handle.close()
  }
}

export function addSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Fill a database with one agency\u2019s synthetic data (deterministic for a given seed)')
    .requiredOption('--database <url>', 'postgres:// URL, or a folder for file-backed PGlite')
    .requiredOption(
      '--agency <code>',
      `agency code, e.g. ${demoAgencies.map((a) => a.code).join(', ')} or any XX-ACRONYM of a known country`,
    )
    .option(
      '--cases <n>',
      `number of cases, ${integer.format(minSeedCases)} to ${integer.format(maxSeedCases)}`,
      '1000',
    )
    .option('--seed <text>', 'seed of the random data: the same seed gives the same rows', 'jaring')
    .option('--chunk <n>', 'cases per COPY round', '5000')
    .option('--no-progress', 'do not print progress lines')
    .action((options: SeedCommandOptions) => runSeed(options))
}
