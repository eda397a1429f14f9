/**
 * `jaring token`: prints a token from a node's development issuer, and nothing else on stdout, so
 * that `TOKEN=$(npx jaring token --config node.yaml --role liaison)` works in scripts.
 */
import type { Command } from 'commander'
import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import { DevTokenError, mintDevToken } from '../../node/auth/dev-issuer.ts'
import { isRole, roles } from '../../node/auth/scopes.ts'
import { ConfigError, loadConfig, type NodeConfig } from '../../node/config.ts'
import { CliError, exitCodes } from '../cli-error.ts'

interface TokenCommandOptions {
  config: string
  role: string
  subject?: string
  ttl?: string
  clearance?: string
  purpose?: string
  caseRef?: string
}

function usage(message: string): CliError {
  return new CliError(message, exitCodes.usage)
}

function parseTtl(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text)) throw usage(`--ttl must be a whole number of seconds, not "${text}"`)
  return Number(text)
}

function parseClearance(text: string | undefined): Tlp | undefined {
  if (text === undefined) return undefined
  const upper = text.toUpperCase()
  if (!(tlpLevels as readonly string[]).includes(upper))
    throw usage(`--clearance must be one of ${tlpLevels.join(', ')}, not "${text}"`)
  return upper as Tlp
}

function readConfig(file: string): NodeConfig {
  try {
    return loadConfig(file)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.config)
    throw error
  }
}

async function runToken(options: TokenCommandOptions): Promise<void> {
  const { role } = options
  if (!isRole(role)) throw usage(`--role must be one of ${roles.join(', ')}, not "${role}"`)
  const ttlSeconds = parseTtl(options.ttl)
  const clearance = parseClearance(options.clearance)
  const config = readConfig(options.config)
  let token: string
  try {
    token = await mintDevToken(config, {
      role,
      ...(options.subject === undefined ? {} : { subject: options.subject }),
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      ...(clearance === undefined ? {} : { clearance }),
      ...(options.purpose === undefined ? {} : { purpose: options.purpose }),
      ...(options.caseRef === undefined ? {} : { caseRef: options.caseRef }),
    })
  } catch (error) {
    if (error instanceof DevTokenError) {
      const where = error.reason === 'config' ? `${options.config}: ` : ''
      throw new CliError(
        `${where}${error.message}`,
        error.reason === 'config' ? exitCodes.config : exitCodes.usage,
      )
    }
    throw error
  }
  process.stdout.write(`${token}\n`)
}

export function addTokenCommand(program: Command): void {
  program
    .command('token')
    .description('Print a token from the node\u2019s development issuer (for demos and tests)')
    .requiredOption('--config <file>', 'the node\u2019s node.yaml')
    .requiredOption('--role <role>', roles.join(' | '))
    .option('--subject <id>', 'the officer or system id (sub); default dev-<role>')
    .option('--ttl <seconds>', 'lifetime in seconds; default and maximum: auth.maxTokenAgeSeconds')
    .option('--clearance <tlp>', `lower the role's clearance: ${tlpLevels.join(', ')}`)
    .option('--purpose <text>', 'why the officer asks (purpose claim)')
    .option('--case-ref <ref>', 'the case the request is for (case_ref claim)')
    .action((options: TokenCommandOptions) => runToken(options))
}
