/**
 * The node-cost baseline issue 8 names: bare fastify + mercurius serving `type Query { hello: String }`
 * with `jit: 1`, no hooks, no logging, in a process of its own like the node (started by
 * `startBareMercurius`, which runs this file). Its CPU time comes from its own `process.cpuUsage()`,
 * read on `GET /cpu`, as the node's comes from its `/metrics`.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { killWithRunner } from './cli.ts'
import type { BenchContext } from './context.ts'

export interface BareServer {
  readonly label: string
  readonly url: string
  readonly pid: number
  cpuSeconds(): Promise<number>
  stop(): Promise<void>
}

export const helloQuery = '{ hello }'

async function serve(): Promise<void> {
  const { default: Fastify } = await import('fastify')
  const { default: mercurius } = await import('mercurius')
  const app = Fastify({ logger: false })
  await app.register(mercurius, {
    schema: 'type Query { hello: String }',
    resolvers: { Query: { hello: async () => 'world' } },
    jit: 1,
  })
  app.get('/cpu', async () => {
    const { user, system } = process.cpuUsage()
    return { seconds: (user + system) / 1e6 }
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  process.stderr.write(`bare mercurius is serving at ${address}\n`)
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0))
  })
}

/** Starts the bare server in a child process on the runner's Node; stopped when the run ends. */
export async function startBareMercurius(context: BenchContext): Promise<BareServer> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('bare mercurius: the process did not start')
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  context.defer(stop)
  killWithRunner(child, 'SIGKILL')
  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bare mercurius: no banner within 30 s: ${stderr}`)),
      30_000,
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
      reject(new Error(`bare mercurius exited (${signal ?? code}) before serving: ${stderr}`))
    })
  })
  return {
    label: 'bare mercurius',
    url,
    pid,
    async cpuSeconds() {
      const response = await fetch(`${url}/cpu`)
      return ((await response.json()) as { seconds: number }).seconds
    },
    stop,
  }
}

if (process.argv[2] === '--serve') await serve()
