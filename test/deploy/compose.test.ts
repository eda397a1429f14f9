/**
 * The compose federation, checked without a container engine (none runs here): the committed
 * docker-compose.yml is the export's rendering, and in a real export every path the compose file
 * mounts exists, every file a node.yaml names is inside a mount of its own container, every port
 * agrees with the node's config and the trust list, and every variable given to a node is one that
 * config.ts reads. `.ci/run` validates the same file against the compose schema (dclint, and
 * docker-compose config where Debian's is installed).
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { CliError, exitCodes } from '../../services/cli/cli-error.ts'
import { parseDemoOptions } from '../../services/cli/commands/demo.ts'
import {
  type ComposeExport,
  composeFileName,
  containerPaths,
  databaseServiceName,
  exportCompose,
  projectRoot,
  rootComposeFile,
  runExport,
  serviceName,
} from '../../services/cli/demo/compose.ts'
import { loadConfig, type NodeConfig } from '../../services/node/config.ts'
import { readTrustAnchor, verifyTrustList } from '../../services/node/federation/trust-list.ts'

interface ComposeService {
  build?: { context: string }
  image?: string
  depends_on?: Record<string, { condition: string }>
  volumes?: string[]
  environment?: Record<string, string>
  ports?: string[]
  networks?: string[]
  healthcheck?: { test: string[] }
}

interface ComposeFile {
  services: Record<string, ComposeService>
  networks: Record<string, unknown>
  volumes: Record<string, unknown>
}

/** `source:target[:mode]`; a source that is not a path is a named volume. */
function mountsOf(service: ComposeService) {
  return (service.volumes ?? []).map((entry) => {
    const [source = '', target = '', mode] = entry.split(':')
    return { source, target, readOnly: mode === 'ro', bind: source.startsWith('.') || source.startsWith('/') }
  })
}

/** The command the Dockerfile starts the node with: its config path inside the container. */
async function dockerfileConfigPath(): Promise<string> {
  const text = await readFile(path.join(projectRoot, 'Dockerfile'), 'utf8')
  const cmd = JSON.parse(/^CMD (.+)$/m.exec(text)?.[1] ?? '[]') as string[]
  return cmd[cmd.indexOf('--config') + 1] ?? ''
}

describe('the committed docker-compose.yml', () => {
  it('is what `jaring demo --export compose` renders for its default folder, built from the project root', async () => {
    expect(await readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8')).toBe(rootComposeFile())
  })
})

describe('jaring demo --export compose', () => {
  let workspace: string
  let exported: ComposeExport
  let compose: ComposeFile
  let composeDir: string
  let configPath: string

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-compose-'))
    exported = await exportCompose(
      parseDemoOptions({ basePort: '4101', dir: path.join(workspace, 'out'), cases: '100' }),
    )
    composeDir = path.dirname(exported.composeFile)
    compose = parseYaml(await readFile(exported.composeFile, 'utf8')) as ComposeFile
    configPath = await dockerfileConfigPath()
  })
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  /** The host path of a file the node in `service` sees at `containerFile`, through its bind mounts. */
  function hostPathOf(service: ComposeService, containerFile: string): string | undefined {
    for (const mount of mountsOf(service).filter((one) => one.bind)) {
      const inside = path.posix.relative(mount.target, containerFile)
      if (inside === '') return path.resolve(composeDir, mount.source)
      if (!inside.startsWith('..') && !path.posix.isAbsolute(inside))
        return path.resolve(composeDir, mount.source, inside)
    }
    return undefined
  }

  function nodeServices() {
    return exported.agencies.map((agency) => {
      const service = compose.services[serviceName(agency.code)]
      if (!service) throw new Error(`no service for ${agency.code}`)
      return { agency, service }
    })
  }

  it('writes the compose file with a node and a database per agency, and nothing else', () => {
    expect(path.basename(exported.composeFile)).toBe(composeFileName)
    expect(Object.keys(compose.services).sort()).toEqual(
      exported.agencies
        .flatMap((agency) => [serviceName(agency.code), databaseServiceName(agency.code)])
        .sort(),
    )
  })

  it('builds every node from the Dockerfile at the project root', () => {
    for (const { service } of nodeServices()) {
      const context = path.resolve(composeDir, service.build?.context ?? '')
      expect(context).toBe(path.resolve(projectRoot))
      expect(existsSync(path.join(context, 'Dockerfile'))).toBe(true)
    }
  })

  it('mounts only paths that exist, read-only, and named volumes that are declared', () => {
    for (const service of Object.values(compose.services)) {
      for (const mount of mountsOf(service)) {
        if (mount.bind) {
          expect(existsSync(path.resolve(composeDir, mount.source)), mount.source).toBe(true)
          expect(mount.readOnly, mount.source).toBe(true)
        } else {
          expect(Object.keys(compose.volumes)).toContain(mount.source)
        }
      }
    }
  })

  it("gives each node its own agency's folder and the public federation files, never a private key of another", () => {
    for (const { agency, service } of nodeServices()) {
      const sources = mountsOf(service)
        .filter((mount) => mount.bind)
        .map((mount) => path.resolve(composeDir, mount.source))
      expect(sources).toContain(agency.folder)
      for (const other of exported.agencies.filter((one) => one.code !== agency.code))
        expect(sources.some((source) => source.startsWith(other.folder))).toBe(false)
      expect(sources.some((source) => source.includes('private'))).toBe(false)
    }
  })

  it('finds every file a node.yaml names inside its own container, as the Dockerfile starts it', async () => {
    for (const { agency, service } of nodeServices()) {
      const hostConfig = hostPathOf(service, configPath)
      expect(hostConfig).toBe(agency.configFile)
      const config = loadConfig(agency.configFile, {})
      const named = [
        config.policy.file,
        config.federation.privateKeyFile,
        config.federation.trustAnchorFile,
        config.federation.trustListFile,
        config.auth.devIssuer.privateKeyFile,
        config.auth.devIssuer.publicJwksFile,
      ]
      for (const file of named) {
        expect(file, `${agency.code}: a setting names no file`).toBeDefined()
        const inContainer = path.posix.resolve(path.posix.dirname(configPath), file as string)
        const onHost = hostPathOf(service, inContainer)
        expect(onHost, `${agency.code}: ${inContainer} is not mounted`).toBeDefined()
        expect(existsSync(onHost as string), `${agency.code}: ${onHost}`).toBe(true)
      }
      expect(hostPathOf(service, containerPaths.trustList)).toBe(path.join(exported.dir, 'trust-list.jws'))
    }
  })

  it("gives a node only variables that config.ts reads, each changing the node's config", () => {
    // A value of the same shape that differs from the file's: the compose value may equal it (the port).
    const otherValue = (value: string) => (/^\d+$/.test(value) ? String(Number(value) + 1) : `${value}x`)
    for (const { agency, service } of nodeServices()) {
      const plain = loadConfig(agency.configFile, {})
      const environment = service.environment ?? {}
      expect(Object.keys(environment).length).toBeGreaterThan(0)
      for (const [name, value] of Object.entries(environment)) {
        const changed: NodeConfig = loadConfig(agency.configFile, { [name]: otherValue(value) })
        expect(changed, `${agency.code}: ${name} is not read by config.ts`).not.toEqual(plain)
      }
      expect(loadConfig(agency.configFile, environment).database.url).toBe(environment.JARING_DATABASE_URL)
    }
  })

  it('agrees on every port: the variable, the published port, node.yaml and the trust list', async () => {
    const anchorFile = path.join(exported.dir, 'secretariat.jwks.json')
    const verified = await verifyTrustList(
      await readFile(path.join(exported.dir, 'trust-list.jws'), 'utf8'),
      await readTrustAnchor(anchorFile),
    )
    for (const { agency, service } of nodeServices()) {
      const config = loadConfig(agency.configFile, service.environment ?? {})
      expect(config.listen.port).toBe(agency.port)
      expect(loadConfig(agency.configFile, {}).listen.port).toBe(agency.port)
      expect(service.ports).toEqual([`127.0.0.1:${agency.port}:${config.listen.port}`])
      expect(config.publicUrl).toBe(`http://127.0.0.1:${agency.port}`)
      const member = verified.list.members.find((one) => one.agency === agency.code)
      expect(member?.url).toBe(`http://${serviceName(agency.code)}:${config.listen.port}`)
    }
    expect(verified.list.members.map((member) => member.agency).sort()).toEqual(
      ['ID-ASEANSEC', ...exported.agencies.map((agency) => agency.code)].sort(),
    )
  })

  it("puts each node's database on a network the node shares and no other node does, healthy before the node starts", () => {
    for (const { agency, service } of nodeServices()) {
      const databaseName = databaseServiceName(agency.code)
      const database = compose.services[databaseName]
      const url = new URL(service.environment?.JARING_DATABASE_URL ?? '')
      expect(url.hostname).toBe(databaseName)
      expect(service.depends_on?.[databaseName]?.condition).toBe('service_healthy')
      expect(database?.healthcheck?.test.join(' ')).toContain('pg_isready')
      expect(database?.environment?.POSTGRES_USER).toBe(decodeURIComponent(url.username))
      expect(database?.environment?.POSTGRES_PASSWORD).toBe(decodeURIComponent(url.password))
      expect(database?.environment?.POSTGRES_DB).toBe(url.pathname.slice(1))
      const shared = (database?.networks ?? []).filter((network) => service.networks?.includes(network))
      expect(shared).toEqual([serviceName(agency.code)])
      for (const other of nodeServices().filter((one) => one.agency.code !== agency.code))
        expect(other.service.networks).not.toContain(shared[0])
      for (const network of [...(service.networks ?? []), ...(database?.networks ?? [])])
        expect(Object.keys(compose.networks)).toContain(network)
    }
  })

  it('refuses to change an existing export, and --reset makes a new one', async () => {
    const options = parseDemoOptions({ basePort: '4101', dir: exported.dir, cases: '100' })
    await expect(exportCompose(options)).rejects.toMatchObject({ exitCode: exitCodes.cantCreate })
    const keyFile = path.join(exported.agencies[0]?.folder ?? '', 'keys', 'federation.jwks.json')
    const before = await readFile(keyFile, 'utf8')
    await exportCompose({ ...options, reset: true })
    expect(await readFile(keyFile, 'utf8')).not.toBe(before)
  })

  it('refuses an unknown format with a usage error', async () => {
    const raw = { export: 'helm', basePort: '4101', dir: path.join(workspace, 'helm'), cases: '100' }
    const refused = runExport(raw, true, false)
    await expect(refused).rejects.toBeInstanceOf(CliError)
    await expect(refused).rejects.toMatchObject({ exitCode: exitCodes.usage })
    expect(existsSync(raw.dir)).toBe(false)
  })
})
