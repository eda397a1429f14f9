/**
 * The demo federation (`jaring demo`: three agencies' nodes on file-backed PGlite, in one
 * process), started once per run for the fan-out and memory benchmarks and stopped at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'
import { cliEntry, repoRoot } from './cli.ts'
import type { BenchContext } from './context.ts'

export interface Demo {
  /** HK's GraphQL endpoint and a token for it, and the federated query the banner prints. */
  graphqlUrl: string
  token: string
  query: string
  /** The demo's process: all three nodes run in it. */
  pid: number
}

/** Starts `jaring demo` and waits for its banner; the demo is stopped at the end of the run. */
async function startDemo(context: BenchContext): Promise<Demo> {
  const basePort = 20_000 + Math.floor(Math.random() * 20_000)
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cliEntry,
      'demo',
      '--dir',
      path.join(context.scratch, 'demo'),
      '--base-port',
      String(basePort),
      '--cases',
      '100',
    ],
    { cwd: repoRoot, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const closed = once(child, 'close')
  context.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await closed
  })
  let stderr = ''
  const banner = await new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
      if (/Stop with Ctrl/.test(stderr)) resolve(stderr)
    })
    closed.then(() =>
      reject(
        new Error(
          `jaring demo ended before it was ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      ),
    )
  })
  const hk = /HK-HKPF · [^\n]*\n\s+GraphiQL\s+\S+\n\s+GraphQL\s+(\S+)\n\s+token\s+(\S+)/.exec(banner)
  const story = /both hold:\n\s+(\{.*\})\n/.exec(banner)
  if (!hk?.[1] || !hk[2] || !story?.[1]) throw new Error('the demo banner has no HK token or federated query')
  if (child.pid === undefined) throw new Error('the demo process has no pid')
  return { graphqlUrl: hk[1], token: hk[2], query: story[1], pid: child.pid }
}

/** The run's demo, started by the first benchmark that asks. */
export function sharedDemo(context: BenchContext): Promise<Demo> {
  return context.shared('demo', () => startDemo(context))
}
