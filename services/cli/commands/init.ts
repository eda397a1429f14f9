/**
 * `jaring init [dir]`: creates a node folder that `jaring serve` can start at once: `node.yaml`
 * (valid against the config schema, the optional settings shown with their defaults), the
 * development issuer's keys, and an empty policy that shares nothing.
 */
import { existsSync } from 'node:fs'
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import { stringify as toYaml } from 'yaml'
import { agencyCodePattern } from '../../../schema/vocabulary.ts'
import { writeSigningKeyFiles } from '../../node/auth/keys.ts'
import { ConfigError, loadConfig, parseConfig } from '../../node/config.ts'
import { CliError, exitCodes } from '../cli-error.ts'

export interface InitOptions {
  agency: string
  name?: string
  country?: string
  port: number
  publicUrl?: string
  database?: string
  force?: boolean
}

const devIssuerKeyBase = 'keys/dev-issuer'
const devIssuerFiles = [`${devIssuerKeyBase}.private.jwk.json`, `${devIssuerKeyBase}.jwks.json`]
const federationKeyBase = 'keys/federation'
const federationKeyFiles = [`${federationKeyBase}.private.jwk.json`, `${federationKeyBase}.jwks.json`]
const keyFiles = [...devIssuerFiles, ...federationKeyFiles]
const createdFiles = ['node.yaml', 'policy.yaml', ...keyFiles]
/** Sections written commented out, with their defaults, so operators see what they can tune. */
const optionalSections = ['policy', 'audit', 'http', 'graphql', 'rateLimit', 'operations', 'logging'] as const

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw new InvalidArgumentError('must be a whole number from 0 to 65535.')
  }
  return Number(value)
}

/** A YAML double-quoted scalar: JSON strings are valid YAML, and nothing in them needs escaping twice. */
const quoted = (value: string) => JSON.stringify(value)

function commentedOut(yamlText: string): string {
  return yamlText
    .trimEnd()
    .split('\n')
    .map((line) => `# ${line}`)
    .join('\n')
}

interface NodeIdentity {
  agency: string
  name: string
  country: string
  port: number
  publicUrl: string
  databaseUrl: string
}

function nodeYaml(identity: NodeIdentity, defaults: Record<string, unknown>): string {
  const tunables = optionalSections.map((section) => commentedOut(toYaml({ [section]: defaults[section] })))
  return `# Jaring node settings for ${identity.agency} (${identity.name}).
# Every setting, its default and its environment override: docs/operations.md, "Settings reference".
# The environment overrides deployment settings: JARING_DATABASE_URL (or DATABASE_URL),
# JARING_HOST, JARING_PORT, JARING_PUBLIC_URL, JARING_LOG_LEVEL. Relative paths are relative to
# this file's folder.

agency: ${quoted(identity.agency)}
name: ${quoted(identity.name)}
country: ${quoted(identity.country)}

# Where users and peer nodes reach this node; the development issuer's \`iss\` derives from it.
publicUrl: ${quoted(identity.publicUrl)}

listen:
  host: "127.0.0.1" # 0.0.0.0 accepts connections from other machines
  port: ${identity.port}

database:
  # A folder holds embedded PGlite data; postgres://user@host:5432/name uses PostgreSQL. Prefer
  # JARING_DATABASE_URL for a URL that carries a password, so it stays out of this file.
  url: ${quoted(identity.databaseUrl)}
  # poolMax: 10 # PostgreSQL connections at most, per replica

auth:
  # audience: ${quoted(identity.agency)} # the one \`aud\` every token must carry; the agency code by default
  # Identity providers whose officer and system tokens this node accepts, each bound to one agency:
  issuers: []
  #  - issuer: "https://idp.example.org/realms/officers"
  #    agency: ${quoted(identity.agency)}
  #    kinds: [officer, system]
  #    jwksUrl: "https://idp.example.org/realms/officers/protocol/openid-connect/certs"
  # The development issuer signs the tokens \`npx jaring token\` prints. Switch it off in production.
  devIssuer:
    enabled: true
    privateKeyFile: ${quoted(devIssuerFiles[0] as string)}
    publicJwksFile: ${quoted(devIssuerFiles[1] as string)}

# The node's own key: it signs audit checkpoints, disclosure receipts and peer assertions. The
# federation's trust list carries its public half (${federationKeyFiles[1]}).
federation:
  privateKeyFile: ${quoted(federationKeyFiles[0] as string)}

${tunables.join('\n\n')}
`
}

function policyYaml(agency: string): string {
  return `# Data-sharing policy of ${agency}: the format is in docs/policy.md (schema/policy.schema.json).
# With no agreement this node shares nothing with any other agency (deny by default). Raise the
# version on every change; \`npx jaring policy check policy.yaml\` validates the file.
version: 1
agency: ${quoted(agency)}
agreements: []
`
}

const isPgliteFolder = (url: string) => url !== 'memory://' && !/^postgres(ql)?:\/\//.test(url)

/** A PGlite folder given on the command line is relative to the working directory; node.yaml's to itself. */
function databaseSetting(folder: string, database: string | undefined): string {
  if (database === undefined) return 'data'
  if (!isPgliteFolder(database)) return database
  return path.relative(folder, path.resolve(database)) || '.'
}

function identityFrom(folder: string, options: InitOptions): NodeIdentity {
  const agency = options.agency.toUpperCase()
  if (!agencyCodePattern.test(agency)) {
    throw new CliError(
      `--agency: "${options.agency}" is not an agency code like TH-RTP (country, hyphen, 2-10 letters or digits).`,
      exitCodes.usage,
    )
  }
  return {
    agency,
    name: options.name ?? agency,
    country: (options.country ?? agency.slice(0, 2)).toUpperCase(),
    port: options.port,
    publicUrl: options.publicUrl ?? `http://127.0.0.1:${options.port}`,
    databaseUrl: databaseSetting(folder, options.database),
  }
}

/** Builds the files in memory and validates them before anything touches the disk. */
function renderNodeYaml(identity: NodeIdentity, folder: string): string {
  const minimal = {
    agency: identity.agency,
    name: identity.name,
    country: identity.country,
    publicUrl: identity.publicUrl,
  }
  try {
    const defaults = parseConfig(minimal, folder, 'node.yaml') as unknown as Record<string, unknown>
    return nodeYaml(identity, defaults)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.usage)
    throw error
  }
}

function relativeToCwd(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative
}

export async function initNodeFolder(folder: string, options: InitOptions): Promise<string> {
  const identity = identityFrom(folder, options)
  const yamlText = renderNodeYaml(identity, folder)
  const existing = createdFiles.filter((file) => existsSync(path.join(folder, file)))
  if (existing.length > 0 && !options.force) {
    throw new CliError(
      `${relativeToCwd(path.join(folder, existing[0] as string))} already exists. Pass --force to replace ` +
        'node.yaml, policy.yaml and the keys (the data folder is kept).',
      exitCodes.cantCreate,
    )
  }
  try {
    await mkdir(path.join(folder, 'keys'), { recursive: true })
    await chmod(path.join(folder, 'keys'), 0o700)
    for (const file of keyFiles) await rm(path.join(folder, file), { force: true })
    await writeSigningKeyFiles(path.join(folder, devIssuerKeyBase))
    await writeSigningKeyFiles(path.join(folder, federationKeyBase))
    await writeFile(path.join(folder, 'node.yaml'), yamlText)
    await writeFile(path.join(folder, 'policy.yaml'), policyYaml(identity.agency))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new CliError(
      `cannot create the node folder ${relativeToCwd(folder)} (${reason}).`,
      exitCodes.cantCreate,
    )
  }
  try {
    // The file as written must load exactly as `jaring serve` will load it (environment aside).
    loadConfig(path.join(folder, 'node.yaml'), {})
  } catch (error) {
    throw new CliError(`the node.yaml written does not load: ${(error as Error).message}`, exitCodes.software)
  }
  return nextSteps(folder, identity)
}

function nextSteps(folder: string, identity: NodeIdentity): string {
  const where = relativeToCwd(folder)
  const config = relativeToCwd(path.join(folder, 'node.yaml'))
  const location = isPgliteFolder(identity.databaseUrl)
    ? `embedded PGlite in ${relativeToCwd(path.resolve(folder, identity.databaseUrl))}`
    : identity.databaseUrl === 'memory://'
      ? 'in-memory PGlite, emptied at every start'
      : 'PostgreSQL'
  return `Created the node folder ${where} for ${identity.agency} (${identity.name}):
  node.yaml                          settings (database: ${location})
  policy.yaml                        data-sharing policy: empty, so nothing is shared yet
  keys/dev-issuer.private.jwk.json   the development issuer's private key: keep it secret
  keys/dev-issuer.jwks.json          its public key
  keys/federation.private.jwk.json   the node's own signing key (audit, receipts, peers): keep it secret
  keys/federation.jwks.json          its public key, for the federation's trust list

Next:
  npx jaring serve --config ${config}
  npx jaring token --config ${config} --role liaison
`
}

export function addInitCommand(program: Command): void {
  program
    .command('init')
    .description('Create a node folder: node.yaml, development issuer keys and an empty policy')
    .argument('[dir]', 'folder to create or fill', '.')
    .requiredOption('--agency <code>', 'agency code, e.g. TH-RTP')
    .option('--name <name>', 'agency name, e.g. "Royal Thai Police" (default: the agency code)')
    .option('--country <code>', 'ISO 3166 country code (default: from the agency code)')
    .option('--port <port>', 'port to listen on', parsePort, 4100)
    .option(
      '--public-url <url>',
      'address users and peers reach the node at (default: http://127.0.0.1:<port>)',
    )
    .option(
      '--database <url>',
      'a PGlite folder or a postgres:// URL (default: the folder "data" beside node.yaml)',
    )
    .option('--force', 'replace an existing node.yaml, policy.yaml and development issuer keys')
    .action(async (dir: string, options: InitOptions) => {
      process.stdout.write(await initNodeFolder(path.resolve(dir), options))
    })
}
