/**
 * `jaring demo --export compose [--dir <dir>]`: the demo federation for containers instead of one
 * process. It writes what `jaring demo` would prepare (each agency's folder: node.yaml, the sample
 * policy, keys; the secretariat's key and the signed trust list) with the nodes addressed by their
 * compose service names, and a `docker-compose.yml` that runs each agency's node from the
 * Dockerfile beside its own PostgreSQL. Nothing runs and no database is touched here.
 *
 * The folders come from the demo's own steps (`claimDemoFolder`, `prepareAgencyFolder`,
 * `prepareFederation`), so the exported federation is the demo's, keys and policies alike. The
 * compose file is rendered by `renderComposeFile`; the committed `docker-compose.yml` at the
 * project root is the same rendering for the default folder, and a test keeps the two equal.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { minSeedCases } from '../../../db/seed/generate.ts'
import { CliError, exitCodes } from '../cli-error.ts'
import {
  claimDemoFolder,
  type DemoAgency,
  type DemoOptions,
  defaultBasePort,
  parseDemoOptions,
  planDemo,
  prepareAgencyFolder,
  prepareFederation,
} from '../commands/demo.ts'

/** The folder an export goes to when `--dir` is not given (the demo's own is `.jaring/demo`). */
export const defaultComposeDir = path.join('.jaring', 'compose')
export const composeFileName = 'docker-compose.yml'
export const exportFormats = ['compose'] as const
/** Where the Dockerfile is: the build context of every node. */
export const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** The PostgreSQL image of every agency's database (the test harness's, PostgreSQL 15+ is required). */
export const postgresImage = 'postgres:17-alpine'
/** Demo only: a fixed role and password, on a network only the agency's node shares. */
export const databaseCredentials = { user: 'jaring', password: 'jaring-demo', database: 'jaring' } as const

/**
 * Inside a node's container: the agency's folder, and the two public federation files beside it,
 * where the demo's node.yaml looks for them (`../secretariat.jwks.json`, `../trust-list.jws`).
 * The secretariat's private key and the other agencies' folders are never mounted.
 */
export const containerPaths = {
  folder: '/etc/jaring/node',
  trustAnchor: '/etc/jaring/secretariat.jwks.json',
  trustList: '/etc/jaring/trust-list.jws',
} as const
/** The files of the export folder that the nodes mount, beside the agencies' folders. */
export const federationFiles = { trustAnchor: 'secretariat.jwks.json', trustList: 'trust-list.jws' } as const

export function serviceName(agency: string): string {
  return agency.toLowerCase()
}

export function databaseServiceName(agency: string): string {
  return `${serviceName(agency)}-db`
}

/** Where the other nodes reach an agency's node on the compose network: the trust list's url. */
export function peerUrlOf(agency: Pick<DemoAgency, 'code' | 'port'>): string {
  return `http://${serviceName(agency.code)}:${agency.port}`
}

export function databaseUrlOf(agency: string): string {
  const { user, password, database } = databaseCredentials
  return `postgres://${user}:${password}@${databaseServiceName(agency)}:5432/${database}`
}

export interface ComposeLayout {
  /** The export folder, relative to the compose file's folder. */
  stateDir: string
  /** The project root (the Dockerfile's folder), relative to the compose file's folder. */
  context: string
}

/** A relative path as compose files write them: `./x`, or `.` for the folder itself. */
function composePath(relative: string): string {
  const posix = relative.split(path.sep).join('/')
  if (posix === '' || posix === '.') return '.'
  return posix.startsWith('.') ? posix : `./${posix}`
}

const quoted = (value: string | number) => JSON.stringify(String(value))

function nodeService(agency: Pick<DemoAgency, 'code' | 'name' | 'port'>, layout: ComposeLayout): string {
  const service = serviceName(agency.code)
  const database = databaseServiceName(agency.code)
  const state = composePath(layout.stateDir)
  const folder = `${state === '.' ? '.' : state}/${agency.code}`
  return `  # ${agency.code}, ${agency.name}: http://127.0.0.1:${agency.port} from this machine, ${peerUrlOf(agency)} for its peers.
  ${service}:
    build:
      context: ${composePath(layout.context)}
    depends_on:
      ${database}:
        condition: service_healthy
    volumes:
      - ${folder}:${containerPaths.folder}:ro
      - ${state}/${federationFiles.trustAnchor}:${containerPaths.trustAnchor}:ro
      - ${state}/${federationFiles.trustList}:${containerPaths.trustList}:ro
    environment:
      # The node migrates its database on start.
      JARING_DATABASE_URL: ${quoted(databaseUrlOf(agency.code))}
      JARING_PORT: ${quoted(agency.port)}
    ports:
      - '127.0.0.1:${agency.port}:${agency.port}'
    networks:
      - federation
      - ${service}
    restart: unless-stopped
    # Longer than the node's graceful shutdown (http.shutdownGraceMs, 10 s).
    stop_grace_period: 15s
`
}

function databaseService(agency: Pick<DemoAgency, 'code'>): string {
  const database = databaseServiceName(agency.code)
  const { user, password, database: name } = databaseCredentials
  return `  ${database}:
    image: ${postgresImage}
    volumes:
      - ${database}:/var/lib/postgresql/data
    environment:
      POSTGRES_USER: ${quoted(user)}
      POSTGRES_PASSWORD: ${quoted(password)}
      POSTGRES_DB: ${quoted(name)}
    networks:
      - ${serviceName(agency.code)}
    restart: unless-stopped
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U ${user} -d ${name}"]
      interval: 5s
      timeout: 5s
      retries: 12
`
}

/** The compose file for these agencies, its paths relative to its own folder as `layout` says. */
export function renderComposeFile(
  agencies: readonly Pick<DemoAgency, 'code' | 'name' | 'port'>[],
  layout: ComposeLayout,
): string {
  const state = composePath(layout.stateDir)
  const header = `# The demo federation on containers: ${agencies.map((agency) => agency.code).join(', ')}, each agency's
# node (built from the Dockerfile) beside a PostgreSQL of its own. Generated by
# \`npx jaring demo --export compose\`, which writes what the nodes mount (each agency's node.yaml,
# policy and keys, the signed trust list) into ${state === '.' ? 'this folder' : state}; do not edit, export again
# (docs/operations.md). Then: docker compose up --build
#
# Demo only: the database passwords are fixed and each node's development issuer is on
# (\`npx jaring token --config ${state}/<AGENCY>/node.yaml --role liaison\`).
`
  const networks = [
    "  # The nodes talk to each other here; each database is on its agency's network alone.",
    '  federation: {}',
    ...agencies.map((agency) => `  ${serviceName(agency.code)}: {}`),
  ]
  return [
    header,
    'services:',
    agencies.map((agency) => `${nodeService(agency, layout)}\n${databaseService(agency)}`).join('\n'),
    'networks:',
    ...networks,
    '',
    'volumes:',
    ...agencies.map((agency) => `  ${databaseServiceName(agency.code)}: {}`),
    '',
  ].join('\n')
}

/** The committed docker-compose.yml at the project root: the default export folder, built from `.`. */
export function rootComposeFile(): string {
  const agencies = planDemo({
    basePort: defaultBasePort,
    reset: false,
    dir: projectRoot,
    cases: minSeedCases,
  })
  return renderComposeFile(agencies, { stateDir: defaultComposeDir, context: '.' })
}

/** What an export wrote, for the message and for tests. */
export interface ComposeExport {
  dir: string
  composeFile: string
  agencies: DemoAgency[]
}

/**
 * Writes the federation into a new (or `--reset`) folder. An existing export is refused rather
 * than changed: its keys sign the audit checkpoints in the databases' volumes.
 */
export async function exportCompose(options: DemoOptions): Promise<ComposeExport> {
  const claimed = await claimDemoFolder(options)
  if (claimed === 'reused') {
    throw new CliError(
      `--dir ${options.dir}: holds an export already; docker compose uses it as it is. ` +
        '--reset replaces its keys, policies and trust list (then also empty the databases: docker compose down -v).',
      exitCodes.cantCreate,
    )
  }
  const agencies = planDemo(options).map((agency) => ({ ...agency, peerUrl: peerUrlOf(agency) }))
  const prepared = []
  for (const agency of agencies) prepared.push(await prepareAgencyFolder(agency))
  await prepareFederation(options, prepared)
  const composeFile = path.join(options.dir, composeFileName)
  const text = renderComposeFile(agencies, {
    stateDir: '.',
    context: path.relative(options.dir, projectRoot) || '.',
  })
  try {
    await writeFile(composeFile, text)
  } catch (error) {
    throw new CliError(
      `${composeFile}: cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      exitCodes.cantCreate,
    )
  }
  return { dir: options.dir, composeFile, agencies }
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative
}

/** The user the Dockerfile runs the node as (the base image's `node`). */
export const containerUid = 1000

function nextSteps(result: ComposeExport, uid: number | undefined): string {
  const first = result.agencies[0]
  const configOf = (agency: DemoAgency) => shown(agency.configFile)
  const lines = [
    `Exported the demo federation for docker compose into ${shown(result.dir)}:`,
    ...result.agencies.map(
      (agency) =>
        `  ${agency.code.padEnd(8)} ${shown(agency.folder)}/ (node.yaml, policy.yaml, keys/), ${peerUrlOf(agency)} for peers`,
    ),
    `  trust list ${shown(path.join(result.dir, federationFiles.trustList))}, signed with the demo secretariat's key beside it`,
    `  ${shown(result.composeFile)}`,
    '',
    'Next:',
    `  docker compose -f ${shown(result.composeFile)} up --build`,
  ]
  if (uid !== undefined && uid !== containerUid) {
    // The keys are readable by their owner alone (0600 in a 0700 folder), and inside the
    // containers the owner must be the node's user.
    lines.splice(
      lines.length - 1,
      0,
      `  chown -R ${containerUid}:${containerUid} ${result.agencies.map((agency) => shown(agency.folder)).join(' ')}` +
        `   # the nodes run as uid ${containerUid}; the keys are readable by their owner only`,
    )
  }
  if (first) {
    lines.push(
      `  npx jaring token --config ${configOf(first)} --role liaison     # a token for http://127.0.0.1:${first.port}/graphiql`,
      `  docker compose -f ${shown(result.composeFile)} exec ${serviceName(first.code)} \\`,
      `    jaring seed --database ${databaseUrlOf(first.code)} --agency ${first.code} --cases 2000`,
    )
  }
  return `${lines.join('\n')}\n`
}

interface RawExportOptions {
  export: string
  basePort: string
  reset?: boolean
  dir: string
  cases: string
}

/** The `--export` branch of `jaring demo`; `dirGiven` tells an explicit `--dir` from the demo's default. */
export async function runExport(
  raw: RawExportOptions,
  dirGiven: boolean,
  casesGiven: boolean,
): Promise<void> {
  if (!(exportFormats as readonly string[]).includes(raw.export)) {
    throw new CliError(
      `--export: "${raw.export}" is not a format; one of: ${exportFormats.join(', ')}`,
      exitCodes.usage,
    )
  }
  const options = parseDemoOptions({ ...raw, dir: dirGiven ? raw.dir : defaultComposeDir })
  if (casesGiven)
    process.stderr.write(
      '(--cases is for `jaring demo`: the exported databases start empty; see below to seed)\n',
    )
  process.stderr.write(nextSteps(await exportCompose(options), process.getuid?.()))
}
