/**
 * `jaring audit verify --config node.yaml`: walks the node's audit chain and its signed
 * checkpoints from the first row to the head, with progress on stderr, and names the first row
 * that was modified, deleted, inserted or reordered (exit 65). `jaring audit checkpoint` signs the
 * chain head now, as the node does on its own every `audit.checkpointIntervalSeconds`.
 */
import type { Command } from 'commander'
import { readJwks, readPublicJwksOfPrivateKey } from '../../node/auth/keys.ts'
import { type NodeConfig, resolveConfigPath } from '../../node/config.ts'
import { CliError, exitCodes } from '../cli-error.ts'
import { loadNodeConfig, openNodeDatabase, reasonOf } from './serve.ts'

interface AuditOptions {
  config: string
  json?: boolean
  /** Public JWKS files of the node's earlier federation keys, which signed the older checkpoints. */
  keys?: string[]
}

/** A progress line every this many rows, and at the end. */
const progressEveryRows = 100_000

/** The current key's public half, and the retired keys given with --keys (after a rotation). */
async function nodeKeys(config: NodeConfig, retiredKeyFiles: readonly string[]) {
  const file = resolveConfigPath(config, config.federation.privateKeyFile)
  let current: Awaited<ReturnType<typeof readPublicJwksOfPrivateKey>>['keys']
  try {
    current = (await readPublicJwksOfPrivateKey(file)).keys
  } catch (error) {
    throw new CliError(
      `federation.privateKeyFile: ${file} cannot be read: ${reasonOf(error)}`,
      exitCodes.config,
    )
  }
  const retired = []
  for (const retiredFile of retiredKeyFiles) {
    try {
      retired.push(...(await readJwks(retiredFile)).keys)
    } catch (error) {
      throw new CliError(
        `--keys: ${retiredFile} cannot be read as a public JWKS: ${reasonOf(error)}`,
        exitCodes.usage,
      )
    }
  }
  return [...current, ...retired]
}

export async function verifyAudit(options: AuditOptions): Promise<string> {
  const config = loadNodeConfig(options.config)
  const keys = await nodeKeys(config, options.keys ?? [])
  const database = await openNodeDatabase(config, `jaring-audit-${config.agency}`)
  try {
    const { countAuditRows } = await import('../../../db/audit-log.ts')
    const { verifyAuditChain } = await import('../../node/audit/verify.ts')
    const total = await countAuditRows(database.db)
    const started = Date.now()
    let reported = 0
    const result = await verifyAuditChain(database.db, {
      node: config.agency,
      keys,
      onProgress: (rows) => {
        if (rows - reported < progressEveryRows && rows !== total) return
        reported = rows
        const seconds = ((Date.now() - started) / 1000).toFixed(1)
        process.stderr.write(
          `verified ${rows.toLocaleString('en')} of ${total.toLocaleString('en')} rows (${seconds} s)\n`,
        )
      },
    })
    if (options.json) {
      const text = `${JSON.stringify(result)}\n`
      if (!result.ok) throw new CliError(text.trimEnd(), exitCodes.dataError)
      return text
    }
    if (!result.ok && result.fault) {
      throw new CliError(
        `the audit chain of ${config.agency} is broken at seq ${result.fault.seq} (${result.fault.kind}): ${result.fault.detail}. ` +
          `${result.rows} rows before it verified.`,
        exitCodes.dataError,
      )
    }
    return `The audit chain of ${config.agency} verifies: ${result.rows} rows, ${result.checkpoints} signed checkpoints, head at seq ${result.headSeq}.\n`
  } finally {
    await database.close()
  }
}

export async function checkpointAudit(options: AuditOptions): Promise<string> {
  const config = loadNodeConfig(options.config)
  const file = resolveConfigPath(config, config.federation.privateKeyFile)
  const { readPrivateSigningKey } = await import('../../node/auth/keys.ts')
  let key: Awaited<ReturnType<typeof readPrivateSigningKey>>
  try {
    key = await readPrivateSigningKey(file)
  } catch (error) {
    throw new CliError(
      `federation.privateKeyFile: ${file} cannot be read: ${reasonOf(error)}`,
      exitCodes.config,
    )
  }
  const database = await openNodeDatabase(config, `jaring-audit-${config.agency}`)
  try {
    const { checkpointChainHead } = await import('../../node/audit/checkpoint.ts')
    const seq = await checkpointChainHead(database.db, key, config.agency)
    return seq === undefined
      ? 'The chain head is empty or already signed: nothing to sign.\n'
      : `Signed the chain head of ${config.agency} at seq ${seq}.\n`
  } finally {
    await database.close()
  }
}

export function addAuditCommand(program: Command): void {
  const audit = program.command('audit').description("Verify and sign the node's tamper-evident audit trail")
  audit
    .command('verify')
    .description('Walk the audit chain and its signed checkpoints; name the first bad row (exit 65)')
    .option('-c, --config <file>', 'the node folder’s node.yaml', 'node.yaml')
    .option('--json', 'print the result as JSON')
    .option(
      '--keys <jwks>',
      "also accept checkpoints signed by the keys in this public JWKS: the node's earlier federation keys, after a rotation (repeat for more)",
      (file: string, files: string[] = []) => [...files, file],
    )
    .action(async (options: AuditOptions) => {
      process.stdout.write(await verifyAudit(options))
    })
  audit
    .command('checkpoint')
    .description('Sign the chain head now (the node also does it on its own)')
    .option('-c, --config <file>', 'the node folder’s node.yaml', 'node.yaml')
    .action(async (options: AuditOptions) => {
      process.stdout.write(await checkpointAudit(options))
    })
}
