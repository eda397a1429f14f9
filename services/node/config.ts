/**
 * The node's configuration: one schema, validated once at start. It is read from a YAML file
 * (`node.yaml`) and then overridden by environment variables; this module is the only reader of
 * `process.env`. Relative paths in the file resolve against the file's folder.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import Type, { type Static } from 'typebox'
import { parse as parseYaml } from 'yaml'
import { agencyCodePattern } from '../../schema/vocabulary.ts'

const AgencyCode = Type.String({ pattern: agencyCodePattern.source, description: 'for example TH-RTP' })
const PositiveMs = (defaultValue: number, maximum: number) =>
  Type.Integer({ minimum: 1, maximum, default: defaultValue })

const TokenKind = Type.Union([Type.Literal('officer'), Type.Literal('system')])

const IssuerConfig = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 500, description: 'the exact `iss` claim' }),
    agency: AgencyCode,
    kinds: Type.Array(TokenKind, { minItems: 1, uniqueItems: true, default: ['officer', 'system'] }),
    jwksFile: Type.Optional(Type.String({ minLength: 1 })),
    jwksUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  },
  { additionalProperties: false },
)

export const ConfigSchema = Type.Object(
  {
    agency: AgencyCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
    /** The node's own address as peers and users reach it; also the audience of its tokens. */
    publicUrl: Type.String({ pattern: '^https?://' }),
    listen: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65_535, default: 4100 }),
        /**
         * HTTPS: the node's certificate and its private key (PEM files, e.g. from `jaring tls`).
         * Absent: plain HTTP (loopback demos, or TLS ended by a proxy in front).
         */
        tls: Type.Optional(
          Type.Object(
            { certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    database: Type.Object(
      {
        /** Absent or `memory://`: in-memory PGlite; a folder: file-backed PGlite; `postgres://`: PostgreSQL. */
        url: Type.Optional(Type.String({ minLength: 1 })),
        poolMax: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        /** The audience every token for this node must carry (exactly one). Defaults to the agency code. */
        audience: Type.Optional(Type.String({ minLength: 1 })),
        issuers: Type.Array(IssuerConfig, { default: [] }),
        clockToleranceSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 60 }),
        maxTokenAgeSeconds: Type.Integer({ minimum: 60, maximum: 86_400, default: 3_600 }),
        maxTokenBytes: Type.Integer({ minimum: 512, maximum: 65_536, default: 8_192 }),
        verifiedTokenCacheSize: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10_000 }),
        /** The node's development issuer, for `jaring token` in demos and tests. */
        devIssuer: Type.Object(
          {
            enabled: Type.Boolean({ default: false }),
            privateKeyFile: Type.Optional(Type.String({ minLength: 1 })),
            publicJwksFile: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    policy: Type.Object(
      {
        /** The data-sharing policy (docs/policy.md), relative to this file; missing, nothing is shared. */
        file: Type.String({ minLength: 1, default: 'policy.yaml' }),
        /** Reload the policy when its file changes (SIGHUP always reloads it). */
        watch: Type.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
    federation: Type.Object(
      {
        /**
         * The node's own signing key (a private JWK, docs/tokens.md): it signs audit checkpoints,
         * disclosure receipts and peer assertions; the trust list publishes its public half.
         */
        privateKeyFile: Type.String({ minLength: 1, default: 'keys/federation.private.jwk.json' }),
        /**
         * The secretariat's public key (a JWK or JWKS file) and the signed trust list (a compact JWS,
         * from a file or an http(s) URL that the secretariat publishes), both or neither. Without
         * them the node trusts no peer: it serves its own officers, and any reach beyond it reports
         * the agencies named as UNAVAILABLE (PEER_NOT_TRUSTED).
         */
        trustAnchorFile: Type.Optional(Type.String({ minLength: 1 })),
        trustListFile: Type.Optional(Type.String({ minLength: 1 })),
        trustListUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
        /**
         * Also re-read the trust list this often (0: a file only on a change of the file, a URL
         * every 5 minutes).
         */
        trustListPollMs: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 0 }),
        /**
         * The federation CA (a PEM file): peers on https URLs are verified against it alone, not
         * against the system's store. Absent: the system's store.
         */
        tls: Type.Optional(
          Type.Object({ caFile: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        ),
        /** How long one peer may take to answer (its slice is then TIMEOUT). */
        peerTimeoutMs: PositiveMs(3_000, 120_000),
        /** How long a whole fan-out may take; no peer gets longer, whatever its own deadline. */
        overallTimeoutMs: PositiveMs(5_000, 120_000),
        /** A peer response larger than this is cut off and its slice is ERROR (PEER_RESPONSE_TOO_LARGE). */
        maxResponseBytes: Type.Integer({ minimum: 1_024, maximum: 268_435_456, default: 4_194_304 }),
        /** Keep-alive connections per peer. */
        connectionsPerPeer: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
        /** How long an assertion this node signs is valid (at most 120 s, the protocol's limit). */
        assertionLifetimeSeconds: Type.Integer({ minimum: 10, maximum: 120, default: 60 }),
        /** Slack for peer assertions' iat and exp, in seconds (the protocol says 60). */
        clockToleranceSeconds: Type.Integer({ minimum: 0, maximum: 60, default: 60 }),
        circuitBreaker: Type.Object(
          {
            /** Consecutive failures (unreachable, timeout, invalid answer) that open a peer's circuit. */
            failureThreshold: Type.Integer({ minimum: 1, maximum: 1_000, default: 5 }),
            /** How long an open circuit stays open before one trial request is let through. */
            openMs: PositiveMs(30_000, 3_600_000),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    audit: Type.Object(
      {
        /**
         * Off only to measure what auditing costs (npm run bench): such a node serves its own
         * principals without an audit trail and says so at start. Never in production.
         */
        enabled: Type.Boolean({ default: true }),
        /** How long an append may wait for the chain (a lock, a slow disk) before the request fails with 503. */
        appendTimeoutMs: PositiveMs(5_000, 60_000),
        /** How often the node signs its chain head, when the chain has moved since the last checkpoint. */
        checkpointIntervalSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
        /** Rows appended in one transaction at most, when many requests finish at once. */
        maxBatchRows: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        bodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 1_073_741_824, default: 1_048_576 }),
        importBodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 4_294_967_296, default: 268_435_456 }),
        /** How long one NDJSON import may run (reading, checking and writing its batch) before it is rolled back. */
        importTimeoutMs: PositiveMs(600_000, 86_400_000),
        requestTimeoutMs: PositiveMs(30_000, 3_600_000),
        handlerTimeoutMs: PositiveMs(25_000, 3_600_000),
        connectionTimeoutMs: PositiveMs(10_000, 600_000),
        keepAliveTimeoutMs: PositiveMs(72_000, 600_000),
        shutdownGraceMs: PositiveMs(10_000, 600_000),
        trustProxy: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    graphql: Type.Object(
      {
        maxDepth: Type.Integer({ minimum: 1, maximum: 50, default: 8 }),
        maxAliases: Type.Integer({ minimum: 0, maximum: 100, default: 15 }),
        maxCost: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 5_000 }),
        maxTokens: Type.Integer({ minimum: 10, maximum: 100_000, default: 2_000 }),
        maxPageSize: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
      },
      { additionalProperties: false, default: {} },
    ),
    rateLimit: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        maxPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1_200 }),
      },
      { additionalProperties: false, default: {} },
    ),
    operations: Type.Object(
      {
        /** Scrapers usually carry no token; false puts `/metrics` behind the `admin` scope. */
        metricsPublic: Type.Boolean({ default: true }),
        /** How long `/health/ready` waits for the database's answer before reporting it unreachable. */
        readyTimeoutMs: PositiveMs(2_000, 60_000),
      },
      { additionalProperties: false, default: {} },
    ),
    logging: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

export type NodeConfig = Static<typeof ConfigSchema> & {
  /** Folder of the config file: relative paths in it resolve against this. */
  baseDir: string
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, coerceTypes: false })
const validate = ajv.compile(ConfigSchema)

function fieldName(instancePath: string, missing?: string): string {
  const dotted = instancePath
    .replace(/^\//, '')
    .replace(/\/(\d+)/g, '[$1]')
    .replaceAll('/', '.')
  if (missing) return dotted ? `${dotted}.${missing}` : missing
  return dotted || '(root)'
}

/** Names the first field at fault and why, like `listen.port: must be <= 65535`. */
function describeErrors(errors: NonNullable<typeof validate.errors>): string {
  return errors
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if')
    .map((e) => {
      if (e.keyword === 'required')
        return `${fieldName(e.instancePath, String(e.params.missingProperty))}: is required`
      if (e.keyword === 'additionalProperties')
        return `${fieldName(e.instancePath, String(e.params.additionalProperty))}: is not a known setting`
      return `${fieldName(e.instancePath)}: ${e.message ?? 'is not valid'}`
    })
    .filter((line, index, all) => all.indexOf(line) === index)
    .join('; ')
}

type Environment = Readonly<Record<string, string | undefined>>

function integerFromEnv(env: Environment, name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}: must be a whole number, got "${raw}"`)
  return Number(raw)
}

/** Environment variables that override the file: deployment concerns only, never policy. */
function applyEnvironment(raw: Record<string, unknown>, env: Environment): Record<string, unknown> {
  const section = (name: string) => ({ ...((raw[name] as Record<string, unknown> | undefined) ?? {}) })
  const listen = section('listen')
  const database = section('database')
  const logging = section('logging')
  const databaseUrl = env.JARING_DATABASE_URL ?? env.DATABASE_URL
  if (databaseUrl) database.url = databaseUrl
  const port = integerFromEnv(env, 'JARING_PORT')
  if (port !== undefined) listen.port = port
  if (env.JARING_HOST) listen.host = env.JARING_HOST
  if (env.JARING_LOG_LEVEL) logging.level = env.JARING_LOG_LEVEL
  const publicUrl = env.JARING_PUBLIC_URL ? { publicUrl: env.JARING_PUBLIC_URL } : {}
  return { ...raw, ...publicUrl, listen, database, logging }
}

/** Validates a config object (already merged with the environment) and fills in the defaults. */
export function parseConfig(raw: unknown, baseDir: string, source = 'config'): NodeConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${source}: must be a mapping of settings`)
  }
  const candidate = structuredClone(raw) as Record<string, unknown>
  if (!validate(candidate)) throw new ConfigError(`${source}: ${describeErrors(validate.errors ?? [])}`)
  const config = candidate as Static<typeof ConfigSchema>
  for (const [index, issuer] of config.auth.issuers.entries()) {
    if (!issuer.jwksFile === !issuer.jwksUrl) {
      throw new ConfigError(`${source}: auth.issuers[${index}]: needs exactly one of jwksFile or jwksUrl`)
    }
  }
  const { trustAnchorFile, trustListFile, trustListUrl } = config.federation
  if (trustListFile && trustListUrl) {
    throw new ConfigError(`${source}: federation: needs one of trustListFile or trustListUrl, not both`)
  }
  if (!trustAnchorFile !== !(trustListFile || trustListUrl)) {
    throw new ConfigError(
      `${source}: federation: trustAnchorFile and a trust list (trustListFile or trustListUrl) go together (both, or neither for a node without peers)`,
    )
  }
  if (config.auth.devIssuer.enabled && !config.auth.devIssuer.privateKeyFile) {
    throw new ConfigError(
      `${source}: auth.devIssuer.privateKeyFile: is required when the development issuer is enabled`,
    )
  }
  return { ...config, baseDir: path.resolve(baseDir) }
}

/**
 * The variables that move a node (its database and address): a process running several nodes
 * from their own folders (`jaring demo`) must not let them override every node alike.
 */
export const placementVariables = [
  'JARING_DATABASE_URL',
  'DATABASE_URL',
  'JARING_HOST',
  'JARING_PORT',
  'JARING_PUBLIC_URL',
] as const

/** Which placement variables this process's environment sets. */
export function placementVariablesSet(env: Environment = process.env): string[] {
  return placementVariables.filter((name) => env[name] !== undefined)
}

export interface LoadOptions {
  /** Ignore the placement variables (the file alone says where the node lives); the log level still applies. */
  ignorePlacement?: boolean
}

/** Reads `node.yaml`, applies the environment and validates the result. */
export function loadConfig(
  file: string,
  env: Environment = process.env,
  options: LoadOptions = {},
): NodeConfig {
  if (options.ignorePlacement) {
    const placement = new Set<string>(placementVariables)
    env = Object.fromEntries(Object.entries(env).filter(([name]) => !placement.has(name)))
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    )
  }
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (error) {
    throw new ConfigError(`${file}: is not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}: must be a mapping of settings`)
  }
  return parseConfig(applyEnvironment(raw as Record<string, unknown>, env), path.dirname(file), file)
}

/** Resolves a path from the config against the config file's folder. */
export function resolveConfigPath(config: NodeConfig, file: string): string {
  return path.resolve(config.baseDir, file)
}

/** The database URL with relative PGlite folders resolved against the config's folder. */
export function databaseUrl(config: NodeConfig): string | undefined {
  const url = config.database.url
  if (!url || url === 'memory://' || /^postgres(ql)?:\/\//.test(url)) return url
  return resolveConfigPath(config, url)
}

/** The audience tokens for this node must carry: the configured one, else the agency code. */
export function tokenAudience(config: NodeConfig): string {
  return config.auth.audience ?? config.agency
}
