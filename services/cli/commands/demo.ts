/**
 * `jaring demo` (what `npm start` runs): a local federation of three agencies in one process, each
 * node on file-backed PGlite with seeded synthetic data. State lives in `.jaring/demo/` (one node
 * folder per agency, made by `jaring init`'s code) and is reused on the next start; `--reset`
 * deletes it first.
 *
 * The work is a row of steps, each a function of its own: claim the demo folder, prepare each
 * agency's folder (init, sample policy, demo settings), open and seed the databases, start the
 * nodes, print how to reach them, and run until SIGINT or SIGTERM. Federation is one more
 * step once the databases are open (`prepareFederation`): a secretariat key in the demo folder, a
 * trust list of the three nodes signed with it (signed again whenever a port or a key changes, or
 * it nears its expiry), and each node.yaml given the trust anchor and the list.
 *
 * Everything the demo says goes to stderr, like `jaring serve`'s banner; stdout carries the nodes'
 * JSON log lines (warnings and errors only: the demo's node.yaml sets `logging.level: warn`).
 */
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { isMap, isScalar, parseDocument } from 'yaml'
import type { DatabaseHandle } from '../../../db/open.ts'
import { demoAgencies } from '../../../db/seed/agencies.ts'
import { maxSeedCases, minSeedCases } from '../../../db/seed/generate.ts'
import { databaseUrl, type NodeConfig, placementVariablesSet } from '../../node/config.ts'
import type { TrustMember } from '../../node/federation/trust-list.ts'
import type { RunningNode } from '../../node/server.ts'
import { CliError, exitCodes } from '../cli-error.ts'
import { initNodeFolder } from './init.ts'
import { loadNodeConfig, openNodeDatabase, reasonOf } from './serve.ts'

/** The seed of every agency's synthetic data: one seed for all, so their data sets overlap as designed. */
export const demoSeed = 'jaring'
export const defaultBasePort = 4101
export const defaultDemoCases = 2_000
export const defaultDemoDir = path.join('.jaring', 'demo')
/** How long the printed tokens last, and so the demo nodes' `auth.maxTokenAgeSeconds`: a working day. */
const demoTokenAgeSeconds = 8 * 3600
/** Written in the demo folder first: `--reset` deletes only a folder that carries it. */
const demoMarkerFile = 'demo.json'
/** The secretariat's key (`<base>.private.jwk.json`, `<base>.jwks.json`) and the signed list, in the demo folder. */
const secretariatKeyBase = 'secretariat'
const trustListFile = 'trust-list.jws'
/** The demo's stand-in for the ASEAN Secretariat, which signs the list and runs no node. */
const secretariat = { agency: 'ID-ASEANSEC', name: 'ASEAN Secretariat (demo)', country: 'ID' } as const
/** Hong Kong is not an ASEAN member: a partner of the federation, as in the sample policies. */
const partnerAgencies: ReadonlySet<string> = new Set(['HK-HKPF'])
const trustListValidDays = 30
/** A list with less than this left is signed afresh on start, so a demo left for weeks keeps working. */
const trustListRenewDays = 7
const dayMs = 86_400_000
/** Written in an agency folder last: a folder without it is incomplete and is built again. */
const seededMarkerFile = 'seeded.json'
const policySamples = new URL('../demo/policies/', import.meta.url)

const integer = new Intl.NumberFormat('en-US')

export interface DemoOptions {
  basePort: number
  reset: boolean
  /** The demo folder, absolute. */
  dir: string
  cases: number
  /** `--cases` was on the command line (it matters only where a database is yet to be seeded). */
  casesGiven?: boolean
}

interface RawDemoOptions {
  basePort: string
  reset?: boolean
  dir: string
  cases: string
  export?: string
}

export interface DemoAgency {
  code: string
  name: string
  country: string
  port: number
  folder: string
  configFile: string
  /** Where the other nodes reach this one (its trust-list url); the loopback port when absent. */
  peerUrl?: string
}

/** One agency once its folder is ready: `fresh` when its database is yet to be seeded. */
interface PreparedAgency extends DemoAgency {
  fresh: boolean
}

interface OpenedAgency extends PreparedAgency {
  config: NodeConfig
  database: DatabaseHandle
}

interface StartedAgency extends OpenedAgency {
  node: RunningNode
}

const say = (text = '') => process.stderr.write(`${text}\n`)

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

// --- options ---------------------------------------------------------------------------------

function wholeNumber(text: string, option: string, min: number, max: number): number {
  const cleaned = text.replaceAll(/[_,]/g, '')
  const value = /^\d+$/.test(cleaned) ? Number(cleaned) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(
      `${option} must be a whole number from ${integer.format(min)} to ${integer.format(max)}, not "${text}"`,
      exitCodes.usage,
    )
  }
  return value
}

export function parseDemoOptions(raw: RawDemoOptions): DemoOptions {
  const lastBase = 65_535 - (demoAgencies.length - 1)
  if (raw.dir.trim() === '') throw new CliError('--dir must name a folder', exitCodes.usage)
  return {
    basePort: wholeNumber(raw.basePort, '--base-port', 1, lastBase),
    reset: raw.reset === true,
    dir: path.resolve(raw.dir),
    cases: wholeNumber(raw.cases, '--cases', minSeedCases, maxSeedCases),
  }
}

/** The three agencies, their ports (base, base+1, base+2) and folders. */
export function planDemo(options: DemoOptions): DemoAgency[] {
  return demoAgencies.map((agency, index) => {
    const folder = path.join(options.dir, agency.code)
    return {
      code: agency.code,
      name: agency.name,
      country: agency.country,
      port: options.basePort + index,
      folder,
      configFile: path.join(folder, 'node.yaml'),
    }
  })
}

// --- step 0: the environment and the ports ---------------------------------------------------

/**
 * The demo's nodes take their addresses and databases from their own folders and `--base-port`:
 * a DATABASE_URL or JARING_PORT meant for `jaring serve` would put all three in one place.
 */
function reportIgnoredPlacement(): void {
  const present = placementVariablesSet()
  if (present.length === 0) return
  say(`(ignoring ${present.join(', ')}: the demo's nodes use their own folders and --base-port)`)
}

function portProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(undefined)))
  })
}

function portError(agency: DemoAgency, problem: string): CliError {
  const what =
    problem === 'EADDRINUSE'
      ? 'is already in use (another demo, or another program?)'
      : problem === 'EACCES'
        ? 'needs privileges this process lacks'
        : `cannot be used (${problem})`
  return new CliError(
    `port ${agency.port} (for ${agency.code}) ${what}. Choose other ports with --base-port ` +
      `(the demo takes ${demoAgencies.length} ports from it, e.g. --base-port 5101).`,
    exitCodes.unavailable,
  )
}

/** Checked before anything is written, so a second demo fails at once rather than after seeding. */
async function checkPortsFree(agencies: readonly DemoAgency[]): Promise<void> {
  for (const agency of agencies) {
    const problem = await portProblem(agency.port)
    if (problem) throw portError(agency, problem)
  }
}

// --- step 1: the demo folder -----------------------------------------------------------------

/** A folder `--reset` may delete: it carries the marker, or holds nothing but agency folders. */
async function looksLikeDemoFolder(dir: string, entries: readonly string[]): Promise<boolean> {
  if (entries.includes(demoMarkerFile)) {
    try {
      const marker = JSON.parse(await readFile(path.join(dir, demoMarkerFile), 'utf8')) as {
        jaring?: unknown
      }
      return marker.jaring === 'demo'
    } catch {
      return false
    }
  }
  const agencyFolders = new Set(demoAgencies.map((agency) => agency.code))
  return entries.every((entry) => agencyFolders.has(entry))
}

async function writeDemoMarker(options: DemoOptions): Promise<void> {
  const marker = {
    jaring: 'demo',
    about: 'State of `jaring demo` (npm start). `jaring demo --reset` deletes this folder.',
    createdAt: new Date().toISOString(),
    seed: demoSeed,
    agencies: demoAgencies.map((agency) => agency.code),
  }
  await writeFile(path.join(options.dir, demoMarkerFile), `${JSON.stringify(marker, null, 2)}\n`)
}

/**
 * Makes sure the demo folder exists and is one: a new or empty folder becomes one, a demo folder
 * is reused (or deleted first with --reset), anything else is refused untouched.
 */
export async function claimDemoFolder(options: DemoOptions): Promise<'new' | 'reset' | 'reused'> {
  const where = shown(options.dir)
  let entries: string[] | undefined
  try {
    const found = await stat(options.dir)
    if (!found.isDirectory()) throw new CliError(`--dir ${where}: is not a folder`, exitCodes.usage)
    entries = await readdir(options.dir)
  } catch (error) {
    if (error instanceof CliError) throw error
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`--dir ${where}: cannot be read (${reasonOf(error)})`, exitCodes.cantCreate)
  }
  if (entries !== undefined && entries.length > 0 && !(await looksLikeDemoFolder(options.dir, entries))) {
    throw new CliError(
      `--dir ${where}: is not empty and is not a demo folder (it has no ${demoMarkerFile}); ` +
        'name a new or empty folder. Nothing was changed.',
      exitCodes.usage,
    )
  }
  const existed = entries !== undefined && entries.length > 0
  try {
    if (existed && options.reset) await rm(options.dir, { recursive: true, force: true })
    await mkdir(options.dir, { recursive: true })
    if (!existsSync(path.join(options.dir, demoMarkerFile))) await writeDemoMarker(options)
  } catch (error) {
    throw new CliError(`--dir ${where}: cannot be prepared (${reasonOf(error)})`, exitCodes.cantCreate)
  }
  return existed ? (options.reset ? 'reset' : 'reused') : 'new'
}

// --- step 2: each agency's folder ------------------------------------------------------------

/**
 * The demo's changes to the node.yaml that `jaring init` wrote, made through the YAML document so
 * its comments stay: the ports of this start (`--base-port` may differ from the last one) and, in
 * a new folder, tokens that last a working day and quieter logs.
 */
async function applyDemoSettings(agency: PreparedAgency): Promise<void> {
  const file = agency.configFile
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(`${shown(file)}: cannot be read (${reasonOf(error)})`, exitCodes.config)
  }
  const document = parseDocument(text)
  if (document.errors.length > 0 || !isMap(document.contents)) {
    const reason = document.errors[0]?.message.split('\n')[0] ?? 'must be a mapping of settings'
    throw new CliError(`${shown(file)}: is not valid YAML: ${reason}`, exitCodes.config)
  }
  const publicUrl = `http://127.0.0.1:${agency.port}`
  const changes: [string[], string | number, string?][] = [
    [['publicUrl'], publicUrl],
    [['listen', 'port'], agency.port],
    // Every start, so that a folder from before the demo was federated is upgraded in place.
    [
      ['federation', 'trustAnchorFile'],
      `../${secretariatKeyBase}.jwks.json`,
      " the demo secretariat's public key (jaring demo writes it)",
    ],
    [['federation', 'trustListFile'], `../${trustListFile}`, ' the demo federation, signed by that key'],
  ]
  if (agency.fresh) {
    changes.push(
      [['auth', 'maxTokenAgeSeconds'], demoTokenAgeSeconds, ' the demo prints tokens that last 8 hours'],
      [['logging', 'level'], 'warn', ' the demo keeps its terminal for warnings and errors'],
    )
  }
  let changed = false
  for (const [fieldPath, value, comment] of changes) {
    if (document.getIn(fieldPath) === value) continue
    const [section] = fieldPath
    if (fieldPath.length > 1 && section && !document.has(section)) {
      // A new top-level section, set apart by a blank line like the others.
      const pair = document.createPair(section, {})
      if (isScalar(pair.key)) pair.key.spaceBefore = true
      document.add(pair)
    }
    const node = document.createNode(value)
    if (comment) node.comment = comment
    document.setIn(fieldPath, node)
    changed = true
  }
  if (changed) await writeFile(file, document.toString())
}

/**
 * A complete folder (it has `seeded.json`) is reused as it is; an incomplete one (a first start
 * that was interrupted) is deleted and made again: `jaring init`'s files, then the sample policy.
 */
export async function prepareAgencyFolder(agency: DemoAgency): Promise<PreparedAgency> {
  const fresh = !existsSync(path.join(agency.folder, seededMarkerFile))
  if (fresh) {
    await rm(agency.folder, { recursive: true, force: true })
    await initNodeFolder(agency.folder, {
      agency: agency.code,
      name: agency.name,
      country: agency.country,
      port: agency.port,
    })
    const sample = new URL(`${agency.code}.yaml`, policySamples)
    try {
      await copyFile(sample, path.join(agency.folder, 'policy.yaml'))
    } catch (error) {
      throw new CliError(
        `cannot copy the sample policy ${shown(fileURLToPath(sample))} (${reasonOf(error)})`,
        exitCodes.software,
      )
    }
  }
  const prepared = { ...agency, fresh }
  await applyDemoSettings(prepared)
  return prepared
}

// --- step 2b: the federation -----------------------------------------------------------------

/** The trust list's members: the secretariat (no node), then each agency with its URL of this start. */
async function demoMembers(
  agencies: readonly PreparedAgency[],
  secretariatJwks: TrustMember['keys'],
): Promise<TrustMember[]> {
  const { readJwks } = await import('../../node/auth/keys.ts')
  const members: TrustMember[] = [{ ...secretariat, role: 'secretariat', keys: secretariatJwks }]
  for (const agency of agencies) {
    const jwksFile = path.join(agency.folder, 'keys', 'federation.jwks.json')
    let keys: TrustMember['keys']
    try {
      keys = await readJwks(jwksFile)
    } catch (error) {
      throw withResetHint(
        agency,
        new CliError(`${shown(jwksFile)}: cannot be read (${reasonOf(error)})`, exitCodes.config),
      )
    }
    members.push({
      agency: agency.code,
      name: agency.name,
      country: agency.country,
      role: partnerAgencies.has(agency.code) ? 'partner' : 'member',
      url: agency.peerUrl ?? `http://127.0.0.1:${agency.port}`,
      keys,
    })
  }
  return members
}

/**
 * The secretariat's key (made once) and the signed trust list of the three nodes. The list held
 * is kept while it verifies against the key, says the same (ports, keys) and has a week left;
 * otherwise the next version is signed. `heldVersion` is the highest version the nodes' databases
 * have taken (their rollback floor): a list below it is signed again, above it, so the nodes never
 * refuse the demo's own list. Runs before the nodes start, so each reads the final list.
 */
export async function prepareFederation(
  options: DemoOptions,
  agencies: readonly PreparedAgency[],
  heldVersion = 0,
): Promise<'created' | 'signed' | 'kept'> {
  const keys = await import('../../node/auth/keys.ts')
  const trust = await import('../../node/federation/trust-list.ts')
  const keyBase = path.join(options.dir, secretariatKeyBase)
  const privateKeyFile = `${keyBase}.private.jwk.json`
  const publicJwksFile = `${keyBase}.jwks.json`
  const listFile = path.join(options.dir, trustListFile)
  let created = false
  try {
    if (!existsSync(privateKeyFile) || !existsSync(publicJwksFile)) {
      // A half-written pair is no key: both files are made again together.
      await rm(privateKeyFile, { force: true })
      await rm(publicJwksFile, { force: true })
      await keys.writeSigningKeyFiles(keyBase)
      created = true
    }
  } catch (error) {
    throw new CliError(
      `${shown(keyBase)}: the secretariat key cannot be written (${reasonOf(error)})`,
      exitCodes.cantCreate,
    )
  }
  let key: Awaited<ReturnType<typeof keys.readPrivateSigningKey>>
  let jwks: TrustMember['keys']
  try {
    key = await keys.readPrivateSigningKey(privateKeyFile)
    jwks = await keys.readJwks(publicJwksFile)
  } catch (error) {
    throw new CliError(
      `${shown(keyBase)}: the secretariat key cannot be read (${reasonOf(error)}; jaring demo --reset starts afresh)`,
      exitCodes.config,
    )
  }
  const members = await demoMembers(agencies, jwks)
  const wanted = trust.trustListContentDigest({ issuer: secretariat.agency, members })

  let lastVersion = 0
  if (!created && existsSync(listFile)) {
    const text = await readFile(listFile, 'utf8')
    try {
      const held = await trust.verifyTrustList(text, jwks)
      lastVersion = held.list.version
      const left = Date.parse(held.list.expiresAt) - Date.now()
      const fresh = left > trustListRenewDays * dayMs && held.list.version >= heldVersion
      if (trust.trustListContentDigest(held.list) === wanted && fresh) return 'kept'
    } catch {
      // Tampered, expired or signed by another key: the next version replaces it.
      const payload = (() => {
        try {
          return trust.decodeTrustListUnverified(text) as { version?: unknown }
        } catch {
          return {}
        }
      })()
      if (typeof payload.version === 'number' && Number.isSafeInteger(payload.version))
        lastVersion = payload.version
    }
  }
  const now = Date.now()
  const list = trust.createTrustList({
    version: Math.max(lastVersion, heldVersion) + 1,
    // A second back, so a node whose clock trails by a moment still takes the list as issued.
    issuedAt: new Date(Math.floor(now / 1000) * 1000 - 1000),
    expiresAt: new Date(now + trustListValidDays * dayMs),
    issuer: secretariat.agency,
    members,
  })
  const signed = await trust.signTrustList(list, key)
  const temporary = `${listFile}.${process.pid}.tmp`
  try {
    await writeFile(temporary, `${signed}\n`)
    await rename(temporary, listFile)
  } catch (error) {
    await rm(temporary, { force: true })
    throw new CliError(`${shown(listFile)}: cannot be written (${reasonOf(error)})`, exitCodes.cantCreate)
  }
  return created ? 'created' : 'signed'
}

// --- step 3: databases, seeded on the first start --------------------------------------------

/** A reused folder may come from an older version of Jaring: say how to start afresh. */
function withResetHint(agency: PreparedAgency, error: unknown): unknown {
  if (agency.fresh || !(error instanceof CliError)) return error
  return new CliError(
    `${error.message} (if ${shown(agency.folder)} is from an older version, jaring demo --reset starts afresh)`,
    error.exitCode,
  )
}

/**
 * A new PGlite database cloned from an empty, migrated one: ~1 s instead of the 3-5 s of initdb
 * (FACTS.md), so the first start creates one database from scratch rather than three.
 */
async function openClone(config: NodeConfig, template: Blob): Promise<DatabaseHandle> {
  const url = databaseUrl(config)
  const { describeUrl, openDatabase } = await import('../../../db/open.ts')
  try {
    return await openDatabase(url, { loadDataDir: template, applicationName: `jaring-demo-${config.agency}` })
  } catch (error) {
    throw new CliError(
      `database.url: cannot create the database at ${describeUrl(url)}: ${reasonOf(error)}`,
      exitCodes.unavailable,
    )
  }
}

/** Loads the folder's node.yaml and opens its database (a fresh one from `template` when given). */
async function openAgency(agency: PreparedAgency, template?: Blob): Promise<OpenedAgency> {
  const started = performance.now()
  let config: NodeConfig
  let database: DatabaseHandle
  try {
    config = loadNodeConfig(agency.configFile, { ignorePlacement: true })
    database =
      agency.fresh && template
        ? await openClone(config, template)
        : await openNodeDatabase(config, `jaring-demo-${agency.code}`)
  } catch (error) {
    throw withResetHint(agency, error)
  }
  if (agency.fresh)
    say(`  ${agency.code.padEnd(8)} database created in ${seconds(performance.now() - started)}`)
  return { ...agency, config, database }
}

/** Seeds a fresh agency's database, then marks its folder complete. */
async function seedAgency(agency: OpenedAgency, cases: number): Promise<void> {
  if (!agency.fresh) return
  const { SeedConflictError, seedDatabase } = await import('../../../db/seed/seed.ts')
  let lastReport = performance.now()
  try {
    const summary = await seedDatabase(agency.database, {
      agency: agency.code,
      cases,
      seed: demoSeed,
      onProgress: ({ casesWritten, totalCases }) => {
        if (casesWritten === totalCases || performance.now() - lastReport < 5_000) return
        lastReport = performance.now()
        say(`  ${agency.code.padEnd(8)} ${integer.format(casesWritten)}/${integer.format(totalCases)} cases`)
      },
    })
    const marker = {
      seed: summary.seed,
      cases: summary.cases,
      rows: summary.rows,
      seededAt: new Date().toISOString(),
    }
    await writeFile(path.join(agency.folder, seededMarkerFile), `${JSON.stringify(marker, null, 2)}\n`)
    say(
      `  ${agency.code.padEnd(8)} seeded ${integer.format(summary.cases)} cases ` +
        `(${integer.format(summary.totalRows)} rows) in ${seconds(summary.elapsedMs)}`,
    )
  } catch (error) {
    if (error instanceof SeedConflictError) {
      throw new CliError(
        `${shown(agency.configFile)}: database.url: ${error.message} (jaring demo --reset starts afresh)`,
        exitCodes.dataError,
      )
    }
    throw error
  }
}

// --- step 4: the nodes -----------------------------------------------------------------------

async function startAgency(agency: OpenedAgency): Promise<StartedAgency> {
  const { startNode } = await import('../../node/server.ts')
  try {
    return { ...agency, node: await startNode(agency.config, { database: agency.database }) }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw portError(agency, code)
    throw withResetHint(
      agency,
      new CliError(`${agency.code} could not start: ${reasonOf(error)}`, exitCodes.software),
    )
  }
}

// --- step 4b: a federated query with a real answer -------------------------------------------

/** The demo's story: a liaison officer at Hong Kong, investigating, asks every agency at once. */
export const demoAsker = 'HK-HKPF'
export const demoPurpose = 'INVESTIGATION'
export const demoCaseReference = 'HKPF-DEMO-2026-0042'
const storyAgencies = ['TH-RTP', 'VN-MPS'] as const

/**
 * A seeded phone number that both TH and VN would release to HK investigating, found the way their
 * nodes will answer: each node's records read under its own policy as a peer HK would meet it, so
 * the printed query finds records at both (the seed places the regional figures by `--cases`, and
 * the policies decide which of them travel). Reads only: nothing is audited, nothing leaves.
 */
export async function findStoryPhone(agencies: readonly OpenedAgency[]): Promise<string | undefined> {
  const { sharedFigures } = await import('../../../db/seed/figures.ts')
  const { createRecordRepositories } = await import('../../node/records/index.ts')
  const { parsePolicy } = await import('../../node/policy/compile.ts')
  const { resolveConfigPath } = await import('../../node/config.ts')
  const { clearanceCeiling } = await import('../../node/auth/claims.ts')
  const roles = Object.fromEntries(
    agencies.map((agency) => [agency.code, partnerAgencies.has(agency.code) ? 'partner' : 'member'] as const),
  )
  const readers = []
  for (const code of storyAgencies) {
    const agency = agencies.find((one) => one.code === code)
    if (!agency) return undefined
    const policy = parsePolicy(
      await readFile(resolveConfigPath(agency.config, agency.config.policy.file), 'utf8'),
      agency.config.policy.file,
    )
    const records = createRecordRepositories(agency.database.db, {
      agency: agency.config.agency,
      country: agency.config.country,
      maxPageSize: agency.config.graphql.maxPageSize,
      policySource: { policy: () => policy, trustRoles: () => roles },
    })
    const access = records.access({
      kind: 'peer',
      agency: demoAsker,
      subject: 'demo-liaison',
      roles: [],
      scopes: new Set(['persons:read']),
      clearance: clearanceCeiling(['liaison']),
      tokenId: 'demo-story',
      purpose: demoPurpose,
    })
    readers.push((phone: string) => records.persons.list(access, { filter: { phone }, first: 1 }))
  }
  const candidates = sharedFigures().filter((figure) =>
    storyAgencies.every((code) => figure.agencies.includes(code)),
  )
  for (const figure of candidates) {
    let everywhere = true
    for (const read of readers) {
      if ((await read(figure.phone.e164)).nodes.length === 0) {
        everywhere = false
        break
      }
    }
    if (everywhere) return figure.phone.e164
  }
  return undefined
}

/** The query the banner prints: what the liaison officer at HK pastes into GraphiQL. */
export function storyQuery(phone: string): string {
  return (
    `{ persons(filter: { phone: "${phone}" }, reach: { all: true, purpose: ${demoPurpose}, ` +
    `caseReference: "${demoCaseReference}" }) { nodes { id source { agency } primaryName { fullName } ` +
    'nationality identifiers { kind value } } peers { agency status latencyMs code } } }'
  )
}

// --- step 5: what to print -------------------------------------------------------------------

const exampleQuery =
  '{ persons(first: 5) { nodes { id primaryName { fullName romanised } nationality status } pageInfo { hasNextPage } } }'

/**
 * The secretariat has no node of its own in the demo: its statistics token comes from a member's
 * node, which asks the other agencies with the purpose STATISTICS (docs/statistics.md).
 */
export const demoSecretariatGateway = 'TH-RTP'

/** The secretariat's regional table: every agency's cases and victims per crime category, merged. */
export const secretariatQuery =
  '{ statistics(measures: [CASES_OPENED, VICTIMS], groupBy: [CRIME_CATEGORY, YEAR], reach: { all: true }) { merged { agencies cells { measure crimeCategory year value suppressed complete } totals { measure value complete suppressedCells } } peers { agency status code } } }'

async function demoToken(agency: StartedAgency, role: 'liaison' | 'secretariat'): Promise<string> {
  const { DevTokenError, mintDevToken } = await import('../../node/auth/dev-issuer.ts')
  try {
    return await mintDevToken(agency.config, {
      role,
      subject: `demo-${role}`,
      ttlSeconds: Math.min(demoTokenAgeSeconds, agency.config.auth.maxTokenAgeSeconds),
      // The asker of the story states why it asks; its node audits the purpose with every query.
      ...(role === 'liaison' && agency.code === demoAsker
        ? { purpose: demoPurpose, caseRef: demoCaseReference }
        : {}),
    })
  } catch (error) {
    if (error instanceof DevTokenError)
      throw new CliError(`${shown(agency.configFile)}: ${error.message}`, exitCodes.config)
    throw error
  }
}

function lifetime(secondsLeft: number): string {
  return secondsLeft % 3600 === 0 ? `${secondsLeft / 3600} hours` : `${Math.round(secondsLeft / 60)} minutes`
}

export async function printBanner(
  agencies: readonly StartedAgency[],
  storyPhone: string | undefined,
): Promise<void> {
  const ttl = Math.min(
    demoTokenAgeSeconds,
    ...agencies.map((agency) => agency.config.auth.maxTokenAgeSeconds),
  )
  const lines: string[] = ['']
  for (const agency of agencies) {
    const { url } = agency.node
    lines.push(
      `${agency.code} · ${agency.config.name}`,
      `  GraphiQL  ${url}/graphiql`,
      `  GraphQL   ${url}/graphql`,
      `  token     ${await demoToken(agency, 'liaison')}`,
      '',
    )
  }
  const example = agencies[1] ?? agencies[0]
  lines.push(
    `Each token is a liaison officer's from that node's development issuer, valid for ${lifetime(ttl)}.`,
    "Open a GraphiQL page, paste its node's token, and run:",
    `  ${exampleQuery}`,
    `A fresh token: npx jaring token --config ${shown(example?.configFile ?? 'node.yaml')} --role liaison`,
  )
  const asker = agencies.find((agency) => agency.code === demoAsker)
  if (asker && storyPhone) {
    lines.push(
      '',
      `The federation: at ${asker.node.url}/graphiql, with ${demoAsker}'s token (a liaison officer`,
      `investigating, case ${demoCaseReference}), find a suspect whose phone TH and VN both hold:`,
      `  ${storyQuery(storyPhone)}`,
      'Each answer is tagged with its agency, and audited at HK (LOCAL, OUTBOUND) and at TH and VN (INBOUND).',
    )
  }
  const gateway = agencies.find((agency) => agency.code === demoSecretariatGateway)
  if (gateway) {
    lines.push(
      '',
      `The secretariat: a statistics token (role secretariat, at ${gateway.code}'s node; it reaches nothing but statistics):`,
      `  token     ${await demoToken(gateway, 'secretariat')}`,
      `  charts    ${gateway.node.url}/stats (paste the token; the page is served by the node, no CDN)`,
      `  GraphiQL  ${gateway.node.url}/graphiql, one merged table of all three agencies, small cells suppressed:`,
      `  ${secretariatQuery}`,
    )
  }
  lines.push(
    `Data: ${shown(path.dirname(example?.folder ?? '.'))} (kept for the next start; --reset starts afresh).`,
  )
  say(lines.join('\n'))
}

// --- step 6: until a signal ------------------------------------------------------------------

/** Thrown between steps when a signal arrived while the demo was starting. */
class StopRequested extends Error {}

/**
 * Listens for SIGINT and SIGTERM from the very start. The first one stops the demo: at once when
 * it is running, after the current step while it is starting (`checkpoint` throws). A second one
 * ends the process at once.
 */
function listenForStop() {
  let received: NodeJS.Signals | undefined
  let running = false
  let resolveSignal: (signal: NodeJS.Signals) => void = () => {}
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    resolveSignal = resolve
  })
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    const now = (again: NodeJS.Signals) => {
      say(`${again} again: stopping at once.`)
      process.exit(again === 'SIGINT' ? 130 : 143)
    }
    process.once('SIGINT', now)
    process.once('SIGTERM', now)
    received = signal
    if (!running) say(`${signal}: stopping after the current step (once more: at once) ...`)
    resolveSignal(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signalled,
    checkpoint(): void {
      if (received) throw new StopRequested(received)
    },
    /** The nodes are up: from now on the first signal stops them at once. */
    running(): void {
      running = true
    },
  }
}

/** Closes the apps (requests in flight finish within the grace period), then the databases. */
async function stopAll(agencies: readonly OpenedAgency[]): Promise<string[]> {
  const failures: string[] = []
  await Promise.all(
    agencies.map(async (agency) => {
      const { node } = agency as Partial<StartedAgency>
      try {
        await node?.close()
      } catch (error) {
        failures.push(`${agency.code}: ${reasonOf(error)}`)
      }
    }),
  )
  for (const agency of agencies) {
    try {
      await agency.database.close()
    } catch (error) {
      failures.push(`${agency.code} database: ${reasonOf(error)}`)
    }
  }
  return failures
}

// --- the command -----------------------------------------------------------------------------

/** Step 1 and 2: the demo folder and each agency's folder in it, ready for its node to open. */
export async function prepareFolders(
  options: DemoOptions,
  checkpoint: () => void,
): Promise<PreparedAgency[]> {
  const claimed = await claimDemoFolder(options)
  const where = shown(options.dir)
  if (claimed === 'reused') say(`jaring demo: reusing ${where} (--reset starts afresh)`)
  else say(`jaring demo: ${claimed === 'reset' ? 'deleted and ' : ''}creating ${where}`)
  const prepared: PreparedAgency[] = []
  for (const agency of planDemo(options)) {
    prepared.push(await prepareAgencyFolder(agency))
    checkpoint()
  }
  return prepared
}

/** Step 3: opens each database, seeding the fresh ones; `opened` collects them for closing. */
async function openAndSeed(
  prepared: readonly PreparedAgency[],
  options: DemoOptions,
  opened: OpenedAgency[],
  checkpoint: () => void,
): Promise<void> {
  if (prepared.some((agency) => agency.fresh)) {
    say(`  ${integer.format(options.cases)} cases per agency, seed "${demoSeed}"`)
  } else if (options.casesGiven) {
    say('  (--cases is for a first start: the data seeded before is kept; --reset seeds again)')
  }
  let template: Blob | undefined
  for (const agency of prepared) {
    const one = await openAgency(agency, template)
    opened.push(one)
    if (one.fresh && !template && one.database.driver === 'pglite')
      template = await one.database.dumpDataDir()
    checkpoint()
    await seedAgency(one, options.cases)
    checkpoint()
  }
}

/** Step 4: the trust list, once the databases (and the versions they have taken) are open. */
async function prepareTrustList(
  options: DemoOptions,
  opened: readonly OpenedAgency[],
  checkpoint: () => void,
): Promise<void> {
  const { readTrustListFloor } = await import('../../../db/trust-list-floor.ts')
  const floors = await Promise.all(opened.map((agency) => readTrustListFloor(agency.database.db)))
  const federation = await prepareFederation(
    options,
    opened,
    Math.max(0, ...floors.map((floor) => floor ?? 0)),
  )
  if (federation !== 'kept')
    say(
      `  trust list ${federation === 'created' ? 'created' : 'signed again'}: ${shown(path.join(options.dir, trustListFile))}`,
    )
  checkpoint()
}

/** Step 5: starts each node on its opened database; `opened` entries become started ones. */
async function startNodes(opened: OpenedAgency[], checkpoint: () => void): Promise<StartedAgency[]> {
  for (const [index, agency] of opened.entries()) {
    opened[index] = await startAgency(agency)
    checkpoint()
  }
  return opened as StartedAgency[]
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const startedAt = performance.now()
  const stop = listenForStop()
  reportIgnoredPlacement()
  await checkPortsFree(planDemo(options))

  const opened: OpenedAgency[] = []
  try {
    const prepared = await prepareFolders(options, stop.checkpoint)
    await openAndSeed(prepared, options, opened, stop.checkpoint)
    await prepareTrustList(options, opened, stop.checkpoint)
    const started = await startNodes(opened, stop.checkpoint)
    await printBanner(started, await findStoryPhone(started))
    stop.checkpoint()
    stop.running()
    say(`Ready in ${seconds(performance.now() - startedAt)}. Stop with Ctrl+C.`)
  } catch (error) {
    const failures = await stopAll(opened)
    if (!(error instanceof StopRequested)) throw error
    say('Stopped before the nodes were ready.')
    if (failures.length > 0) {
      throw new CliError(`the demo did not shut down cleanly: ${failures.join('; ')}`, exitCodes.software)
    }
    return
  }

  const signal = await stop.signalled
  say(`${signal}: stopping the ${opened.length} nodes ...`)
  const failures = await stopAll(opened)
  if (failures.length > 0) {
    throw new CliError(`the demo did not shut down cleanly: ${failures.join('; ')}`, exitCodes.software)
  }
  say('Stopped.')
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run a local federation of three agencies (HK, TH, VN) with synthetic data, in one process (npm start)',
    )
    .option(
      '--base-port <port>',
      `port of the first node; the others take the next ${demoAgencies.length - 1}`,
      String(defaultBasePort),
    )
    .option('--reset', 'delete the demo folder first and start afresh')
    .option('--dir <path>', 'the demo folder', defaultDemoDir)
    .option(
      '--cases <n>',
      `cases per agency on the first start (${integer.format(minSeedCases)} to ${integer.format(maxSeedCases)})`,
      String(defaultDemoCases),
    )
    .option(
      '--export <format>',
      'write the federation for containers instead of running it: "compose" (docker-compose.yml and the ' +
        "agencies' folders, into --dir, by default .jaring/compose)",
    )
    .action(async (raw: RawDemoOptions, command: Command) => {
      if (raw.export !== undefined) {
        const { runExport } = await import('../demo/compose.ts')
        const given = (option: string) => command.getOptionValueSource(option) === 'cli'
        return runExport({ ...raw, export: raw.export }, given('dir'), given('cases'))
      }
      await runDemo({ ...parseDemoOptions(raw), casesGiven: command.getOptionValueSource('cases') === 'cli' })
    })
}
