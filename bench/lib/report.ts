/**
 * Prints the figures beside their baselines, and renders docs/benchmarks.md from a full run.
 */
import { cpus, release, totalmem } from 'node:os'
import type { Figure } from './context.ts'
import { serverVersion } from './postgres.ts'

export interface Machine {
  cores: number
  cpuModel: string
  memoryGiB: number
  kernel: string
  node: string
  postgres: string
}

export async function describeMachine(): Promise<Machine> {
  const processors = cpus()
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    kernel: `Linux ${release()}`,
    node: process.version,
    postgres: await serverVersion(),
  }
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })

export function formatValue(value: number, unit: string): string {
  if (unit === 's') return `${oneDecimal.format(value)} s`
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : oneDecimal.format(value)} ms`
  if (unit === 'us') return `${integer.format(value)} us`
  return `${integer.format(value)} ${unit}`
}

export const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}x`

function goalText(figure: Figure): string {
  if (!figure.goal) return ''
  return `${figure.goal.met ? 'met' : 'MISSED'}: ${figure.goal.text}`
}

/** A few lines per figure, for the console. */
export function printFigures(figures: readonly Figure[]): string {
  const lines: string[] = []
  for (const figure of figures) {
    lines.push(`${figure.benchmark} | ${figure.name}: ${formatValue(figure.value, figure.unit)}`)
    if (figure.baseline) {
      lines.push(
        `    baseline (${figure.baseline.name}): ${formatValue(figure.baseline.value, figure.unit)}` +
          (figure.ratio === undefined ? '' : `  ratio ${formatRatio(figure.ratio)}`),
      )
    }
    if (figure.goal) lines.push(`    goal ${goalText(figure)}`)
  }
  return `${lines.join('\n')}\n`
}

const cell = (text: string) => text.replaceAll('|', '\\|')

export function renderMarkdown(options: {
  figures: readonly Figure[]
  machine: Machine
  date: Date
  durationMs: number
  failures: readonly string[]
}): string {
  const { machine } = options
  const rows = options.figures.map((figure) =>
    [
      figure.benchmark,
      figure.name,
      formatValue(figure.value, figure.unit),
      figure.baseline ? `${formatValue(figure.baseline.value, figure.unit)} (${figure.baseline.name})` : '',
      figure.ratio === undefined ? '' : formatRatio(figure.ratio),
      goalText(figure),
    ]
      .map(cell)
      .join(' | '),
  )
  const notes = options.figures
    .filter((figure) => figure.note)
    .map((figure) => `- **${cell(figure.benchmark)}, ${cell(figure.name)}**: ${figure.note}`)
  const failures = options.failures.length
    ? ['', '## Failed', '', ...options.failures.map((failure) => `- ${failure}`)]
    : []
  return `# Benchmarks

Written by \`npm run bench\` (the full run; \`bench/\`): do not edit by hand, run it again. Every
figure is printed beside a baseline measured in the same run on the same machine, because these
machines are noisy and only the ratios compare across runs. Throughput figures are medians of
alternating rounds of the figure and its baseline; the ratio is the median of the rounds' ratios.
Where a figure misses its goal, [performance.md](performance.md) says what limits it.

## Machine and run

- Date: ${options.date.toISOString().replace(/\.\d+Z$/, 'Z')}
- Cores: ${machine.cores} (${machine.cpuModel}), memory ${machine.memoryGiB.toFixed(1)} GiB, ${machine.kernel}
- Node ${machine.node}, PostgreSQL ${machine.postgres}
- The whole run took ${oneDecimal.format(options.durationMs / 60_000)} minutes; the machine is shared, so other work may have run alongside.

## Figures

| Benchmark | Figure | Value | Baseline | Ratio | Goal (issue 8) |
| --- | --- | --- | --- | --- | --- |
${rows.map((row) => `| ${row} |`).join('\n')}

## How each figure was measured

${notes.join('\n')}
${failures.join('\n')}
`
}
