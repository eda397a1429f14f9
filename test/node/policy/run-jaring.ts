import { main } from '../../../services/cli/main.ts'

/** Runs `jaring ...` in this process and returns its exit code and what it printed. */
export async function runJaring(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const printed = { stdout: '', stderr: '' }
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write }
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      printed[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      return true
    }) as typeof process.stdout.write
  process.stdout.write = capture('stdout')
  process.stderr.write = capture('stderr')
  try {
    const code = await main(['node', 'jaring', ...argv])
    return { code, ...printed }
  } finally {
    process.stdout.write = originals.stdout
    process.stderr.write = originals.stderr
  }
}
