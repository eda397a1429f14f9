/**
 * Runs `jaring` sub-commands in child processes, on the same Node binary as the runner, exactly as
 * an operator would (`node services/cli/bin.ts ...`).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const cliEntry = path.join(repoRoot, 'services/cli/bin.ts')

const runningChildren = new Map<ChildProcess, NodeJS.Signals>()

/**
 * Kills the child with `signal` if the runner exits first (a benchmark interrupted by a signal must
 * not leave it running). One exit listener serves every child, however many run at once.
 */
export function killWithRunner(child: ChildProcess, signal: NodeJS.Signals): void {
  if (runningChildren.size === 0) process.once('exit', killRunningChildren)
  runningChildren.set(child, signal)
  child.once('exit', () => {
    runningChildren.delete(child)
    if (runningChildren.size === 0) process.removeListener('exit', killRunningChildren)
  })
}

function killRunningChildren(): void {
  for (const [child, signal] of runningChildren) child.kill(signal)
}

export interface CliResult {
  stdout: string
  stderr: string
  wallMs: number
}

export interface CliOptions {
  env?: Record<string, string>
  timeoutMs?: number
  /** Called with each stderr chunk (progress lines), as it arrives. */
  onStderr?: (text: string) => void
}

/** Runs `jaring <args>` to completion; rejects with its stderr when it fails or times out. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text
    })
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
      options.onStderr?.(text)
    })
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 60_000)
    killWithRunner(child, 'SIGTERM')
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const wallMs = performance.now() - started
      if (code === 0) resolve({ stdout, stderr, wallMs })
      else
        reject(
          new Error(
            `jaring ${args[0]} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        )
    })
  })
}
