/**
 * Real nodes for the benchmarks: a folder made by `jaring init`'s code, node.yaml adjusted for
 * measuring, and `jaring serve` in a child process of its own (on a port the system picks),
 * stopped with SIGTERM when the run ends. The node's CPU time comes from its own accounting:
 * prom-client's process counters on `/metrics` (`process.cpuUsage()`), else `/proc/<pid>/stat`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml, stringify as toYaml } from 'yaml'
import { initNodeFolder } from '../../services/cli/commands/init.ts'
import { mintDevToken } from '../../services/node/auth/dev-issuer.ts'
import type { Role } from '../../services/node/auth/scopes.ts'
import { loadConfig } from '../../services/node/config.ts'
import { cliEntry, killWithRunner, repoRoot } from './cli.ts'
import type { BenchContext } from './context.ts'

export interface NodeOptions {
  agency: string
  databaseUrl: string
  /** Names the node's folder and its log lines. */
  label: string
  /** `audit.enabled`; true unless a benchmark measures what auditing costs. */
  audit?: boolean
  /** Further changes to node.yaml (already parsed), applied last. */
  configure?: (config: Record<string, unknown>) => void
  /** Node flags for the node's process (`--cpu-prof`, for bench/profile.ts). */
  execArgv?: readonly string[]
}

export interface GraphqlAnswer {
  data?: Record<string, unknown> | null
  errors?: Array<{ message: string; extensions?: { code?: string } }>
}

export interface BenchNode {
  readonly label: string
  readonly agency: string
  readonly url: string
  readonly pid: number
  readonly configFile: string
  /** A development-issuer token for a role, minted by `jaring token`'s code (once per role). */
  token(role: Role): Promise<string>
  /** The node's user plus system CPU time so far, in seconds. */
  cpuSeconds(): Promise<number>
  /** One sample of a metric from the node's `/metrics` (summed over its series), or undefined. */
  metric(name: string): Promise<number | undefined>
  graphql(query: string, variables: Record<string, unknown>, token: string): Promise<GraphqlAnswer>
  stop(): Promise<void>
}

const clockTicksPerSecond = 100

async function procCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond
}

function metricSum(exposition: string, name: string): number | undefined {
  let sum: number | undefined
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function writeNodeYaml(file: string, options: NodeOptions): Promise<void> {
  const config = parseYaml(await readFile(file, 'utf8')) as Record<string, unknown>
  // The default limit (1,200 a minute per principal) would answer most of the load with 429.
  config.rateLimit = { enabled: false }
  config.audit = { enabled: options.audit ?? true }
  config.policy = { watch: false }
  options.configure?.(config)
  await writeFile(file, toYaml(config))
}

/** Starts a node and registers its stop with the run's clean-up. */
export async function startNode(context: BenchContext, options: NodeOptions): Promise<BenchNode> {
  const folder = path.join(context.scratch, options.label)
  // `jaring init`'s own code, in this process: a CLI start-up fewer for every node.
  await initNodeFolder(folder, { agency: options.agency, port: 4100, database: options.databaseUrl })
  const configFile = path.join(folder, 'node.yaml')
  await writeNodeYaml(configFile, options)

  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), cliEntry, 'serve', '--config', configFile],
    {
      cwd: repoRoot,
      env: { ...process.env, JARING_PORT: '0' },
      // stdout carries one JSON log line per request: discarded, as cheaply as a log shipper's pipe.
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  const pid = child.pid
  if (pid === undefined) throw new Error(`${options.label}: the node process did not start`)
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL')
        await waitForExit(child, 5_000)
      }
    })()
    return stopping
  }
  context.defer(stop)
  killWithRunner(child, 'SIGKILL')

  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.label}: no banner within 90 s: ${stderr}`)),
      90_000,
    )
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4_000)
      const found = /is serving at (http:\/\/\S+)/.exec(stderr)
      if (found) {
        clearTimeout(timer)
        resolve(found[1] as string)
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${options.label}: the node exited (${signal ?? code}) before serving: ${stderr}`))
    })
  })
  const ready = await fetch(`${url}/health/ready`)
  if (!ready.ok) throw new Error(`${options.label}: /health/ready answered ${ready.status}`)

  const tokens = new Map<string, Promise<string>>()
  const metricsText = async () => {
    const response = await fetch(`${url}/metrics`)
    return response.ok ? response.text() : undefined
  }
  const node: BenchNode = {
    label: options.label,
    agency: options.agency,
    url,
    pid,
    configFile,
    token(role) {
      let token = tokens.get(role)
      if (!token) {
        token = mintDevToken(loadConfig(configFile), { role })
        tokens.set(role, token)
      }
      return token
    },
    async cpuSeconds() {
      const text = await metricsText()
      const user = text === undefined ? undefined : metricSum(text, 'process_cpu_user_seconds_total')
      const system = text === undefined ? undefined : metricSum(text, 'process_cpu_system_seconds_total')
      if (user === undefined || system === undefined) return procCpuSeconds(pid)
      return user + system
    },
    async metric(name) {
      const text = await metricsText()
      return text === undefined ? undefined : metricSum(text, name)
    },
    async graphql(query, variables, token) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      })
      return (await response.json()) as GraphqlAnswer
    },
    stop,
  }
  return node
}
