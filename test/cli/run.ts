/**
 * Runs the real `jaring` command as a child process on the same Node as the tests (Node 24 under
 * `npx vitest`), with an environment cleared of the settings that would override node.yaml.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

/**
 * Per test: each run starts a Node process that loads the CLI (about a second of CPU, several seconds
 * on a busy machine), and some tests run it three times.
 */
export const cliTimeoutMs = 90_000

const bin = fileURLToPath(new URL('../../services/cli/bin.ts', import.meta.url))
const overridingVariables = /^(JARING_|DATABASE_URL$)/

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface Running {
  child: ChildProcess
  /** Resolves with everything written to stderr so far once it matches. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>
  finished: Promise<Finished>
}

export function startJaring(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Running {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !overridingVariables.test(name)),
  )
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const finished = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }))
  return {
    child,
    finished,
    waitForStderr(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern)
          if (!match) return false
          child.stderr?.off('data', check)
          resolve(match)
          return true
        }
        if (check()) return
        child.stderr?.on('data', check)
        finished.then((result) =>
          reject(new Error(`jaring exited (${result.code}) before printing ${pattern}:\n${result.stderr}`)),
        )
      })
    },
  }
}

export function runJaring(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Finished> {
  return startJaring(args, options).finished
}
