/**
 * Process entry for one node: builds the app, listens, and shuts down gracefully on SIGINT/SIGTERM
 * (stop accepting, let requests in flight finish within the grace period, close the database).
 * `jaring serve --config node.yaml` calls `startNode`; `node services/node/server.ts node.yaml` too.
 */
import type { FastifyInstance } from 'fastify'
import { type BuildOptions, buildApp } from './app.ts'
import { ConfigError, loadConfig, type NodeConfig } from './config.ts'

export interface RunningNode {
  app: FastifyInstance
  /** The address it listens on, e.g. http://127.0.0.1:4102 (https with `listen.tls`). */
  url: string
  close(): Promise<void>
}

export async function startNode(config: NodeConfig, options: BuildOptions = {}): Promise<RunningNode> {
  const app = await buildApp(config, options)
  await app.listen({ host: config.listen.host, port: config.listen.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.listen.port
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host
  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      const deadline = setTimeout(() => {
        app.log.warn('shutdown grace period over: closing remaining connections')
        app.server.closeAllConnections()
      }, config.http.shutdownGraceMs)
      deadline.unref()
      await app.close()
      clearTimeout(deadline)
    })()
    return closing
  }
  return { app, url: `${config.listen.tls ? 'https' : 'http'}://${host}:${port}`, close }
}

/** Runs until a signal arrives; returns the exit code. */
export async function runUntilSignalled(node: RunningNode): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      node.app.log.info({ signal }, 'shutting down')
      node.close().then(
        () => resolve(0),
        (error: unknown) => {
          node.app.log.error({ err: error }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

if (import.meta.main) {
  const file = process.argv[2]
  if (!file) {
    process.stderr.write('usage: node services/node/server.ts <node.yaml>\n')
    process.exit(64)
  }
  try {
    const node = await startNode(loadConfig(file))
    process.exitCode = await runUntilSignalled(node)
  } catch (error) {
    process.stderr.write(`jaring: ${error instanceof ConfigError ? error.message : String(error)}\n`)
    process.exitCode = error instanceof ConfigError ? 78 : 1
  }
}
