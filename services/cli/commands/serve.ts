/**
 * `jaring serve --config node.yaml`: runs one agency's node until SIGINT or SIGTERM, then shuts it
 * down gracefully. The addresses go to stderr, so stdout carries only the JSON log lines.
 */
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import type { DatabaseHandle } from '../../../db/open.ts'
import { ConfigError, databaseUrl, type LoadOptions, loadConfig, type NodeConfig } from '../../node/config.ts'
import type { RunningNode } from '../../node/server.ts'
import { CliError, exitCodes } from '../cli-error.ts'

/** Loads node.yaml (with the environment) or fails with a message naming the field, exit code 78. */
export function loadNodeConfig(file: string, options: LoadOptions = {}): NodeConfig {
  if (!existsSync(file)) {
    throw new CliError(
      `${file}: no such file. Create a node folder with \`npx jaring init\`.`,
      exitCodes.config,
    )
  }
  try {
    return loadConfig(file, undefined, options)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.config)
    throw error
  }
}

/** What went wrong, in one line: pg reports an unreachable host as an AggregateError with no message. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0])
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof message === 'string' && message !== '') return message
  return typeof code === 'string' ? code : String(error)
}

/** Opens (and migrates) the node's database, or explains why it cannot, exit code 69. */
export async function openNodeDatabase(config: NodeConfig, applicationName: string): Promise<DatabaseHandle> {
  const url = databaseUrl(config)
  // Loaded on use: the drivers and the node are heavy, and `jaring --help` or `init` need neither.
  const { describeUrl, openDatabase } = await import('../../../db/open.ts')
  try {
    return await openDatabase(url, { poolMax: config.database.poolMax, applicationName })
  } catch (error) {
    throw new CliError(
      `database.url: cannot open the database at ${describeUrl(url)}: ${reasonOf(error)}`,
      exitCodes.unavailable,
    )
  }
}

const listenErrors: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'needs privileges this process lacks',
  EADDRNOTAVAIL: 'is not an address of this machine',
}

async function start(config: NodeConfig, database: DatabaseHandle): Promise<RunningNode> {
  const { startNode } = await import('../../node/server.ts')
  try {
    return await startNode(config, { database })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    const problem = listenErrors[code]
    if (problem) {
      throw new CliError(
        `listen: ${config.listen.host}:${config.listen.port} ${problem} (set listen.host and listen.port, ` +
          'or JARING_HOST and JARING_PORT).',
        exitCodes.unavailable,
      )
    }
    throw new CliError(`the node could not start: ${reasonOf(error)}`, exitCodes.software)
  }
}

function banner(config: NodeConfig, node: RunningNode, database: DatabaseHandle): string {
  const lines = [
    `${config.agency} (${config.name}) is serving at ${node.url}`,
    `  GraphQL   ${node.url}/graphql`,
    `  GraphiQL  ${node.url}/graphiql`,
    `  REST      ${node.url}/api/v1 (reference at ${node.url}/docs)`,
    `  health    ${node.url}/health/ready`,
    `  metrics   ${node.url}/metrics`,
    `  database  ${database.driver} at ${database.location}`,
  ]
  if (config.publicUrl.replace(/\/$/, '') !== node.url) lines.push(`  public address ${config.publicUrl}`)
  lines.push('Stop it with Ctrl+C or SIGTERM.')
  return `${lines.join('\n')}\n`
}

export async function serve(configFile: string): Promise<void> {
  const config = loadNodeConfig(configFile)
  const database = await openNodeDatabase(config, `jaring-${config.agency}`)
  let node: RunningNode
  try {
    node = await start(config, database)
  } catch (error) {
    await database.close()
    throw error
  }
  process.stderr.write(banner(config, node, database))
  const { runUntilSignalled } = await import('../../node/server.ts')
  const exitCode = await runUntilSignalled(node)
  await database.close()
  if (exitCode !== 0) throw new CliError('the node did not shut down cleanly; see the log.', exitCode)
}

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description("Run one agency's node until SIGINT or SIGTERM")
    .option('-c, --config <file>', 'the node folder’s node.yaml', 'node.yaml')
    .action(async (options: { config: string }) => {
      await serve(options.config)
    })
}
