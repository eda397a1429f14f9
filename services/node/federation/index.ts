/**
 * The federation plugin: the trust list in force (`federation.trustAnchorFile` and
 * `federation.trustListFile` or `trustListUrl`; without them the node has no peers and still serves its own
 * officers), its roles fed to the policy's groups, the replay cache of peer assertions in the
 * database, the peer client with its pools and circuit breakers, the inbound endpoint
 * `/federation/graphql`, and the list and record helpers the resolvers call for a `reach`.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type GraphQLResolveInfo, parse } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { Agent, type Dispatcher } from 'undici'
import { purgeExpiredPeerAssertions, rememberPeerAssertion } from '../../../db/peer-assertions.ts'
import { raiseTrustListFloor, readTrustListFloor } from '../../../db/trust-list-floor.ts'
import type { PeerStatus } from '../../../schema/index.ts'
import type { Principal } from '../auth/principal.ts'
import { resolveConfigPath } from '../config.ts'
import { type ErrorCode, errorCatalogue, JaringError } from '../errors.ts'
import { noteWithheldFields, responsePathText } from '../policy/graphql.ts'
import { type StatisticsArguments, statisticsRequestOf } from '../stats/model.ts'
import { peerStatisticsQuery, peerStatisticsVariables, peerTableOf } from '../stats/peer.ts'
import { type AgencyStatistics, type StatisticsResult, withPeerTables } from '../stats/service.ts'
import { createPeerClient, type PeerClient } from './client.ts'
import { fanOut, planReach, type ReachArgument } from './fanout.ts'
import {
  checkedPeerData,
  decodeFederatedCursor,
  encodeFederatedCursor,
  forwardedList,
  forwardedRecord,
  nodesResponseKeys,
  type Positions,
  wrapSchemaForRemoteRecords,
} from './graphql.ts'
import { registerInboundRoute } from './inbound.ts'
import { type FederationMetrics, registerFederationMetrics } from './metrics.ts'
import { readTrustAnchor } from './trust-list.ts'
import { openTrustStore, type TrustStore } from './trust-store.ts'
import { type PeerWithheldField, placePeerWithheld } from './withheld.ts'

export interface PeerReport {
  agency: string
  status: PeerStatus
  latencyMs: number | null
  code: string | null
}

export interface FederatedPage<T> {
  nodes: (T | Record<string, unknown>)[]
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
  peers: PeerReport[]
}

export interface ListArgs {
  filter?: unknown
  first?: number | null
  after?: string | null
  reach?: ReachArgument | null
}

export interface FederationService {
  /** The trust list store; undefined on a node configured without one. */
  trust: TrustStore | undefined
  client: PeerClient
  metrics: FederationMetrics
  /** A list page of this node's records and, with a reach, every peer's page. */
  list<T>(
    field: string,
    args: ListArgs,
    context: MercuriusContext,
    info: GraphQLResolveInfo,
    local: (args: { filter?: unknown; first?: number | null; after?: string | null }) => Promise<{
      nodes: T[]
      pageInfo: { hasNextPage: boolean; endCursor: string | null }
    }>,
  ): Promise<FederatedPage<T>>
  /** `record(id)` at its owner: here, or at the peer the id names when the reach covers it. */
  record<T>(
    args: { id: string; reach?: ReachArgument | null },
    context: MercuriusContext,
    info: GraphQLResolveInfo,
    local: () => Promise<T | null>,
  ): Promise<T | Record<string, unknown> | null>
  /** `statistics` here and, with a reach, at every peer it names (purpose STATISTICS), merged. */
  statistics(
    args: StatisticsArguments & { reach?: ReachArgument | null },
    asker: { principal: Principal | null | undefined; request: FastifyRequest },
    local: () => Promise<StatisticsResult>,
  ): Promise<StatisticsResult>
  /** Deletes expired entries of the replay cache now. */
  purge(): Promise<number>
}

declare module 'fastify' {
  interface FastifyInstance {
    federation: FederationService
  }
}

/** A request that came in as a peer's never goes out again: peers answer with local reach only. */
function asksPeers(principal: Principal | null, reach: ReachArgument | null | undefined): boolean {
  if (!principal || principal.kind === 'peer') return false
  return Boolean(reach?.all || reach?.agencies?.length)
}

function requirePrincipal(context: MercuriusContext): Principal {
  if (!context.principal) throw new JaringError('UNAUTHENTICATED')
  return context.principal
}

const isCatalogued = (code: string | null): code is ErrorCode =>
  code !== null && Object.hasOwn(errorCatalogue, code)

/**
 * The trust store, its rollback floor read from the database and raised with every list taken, so
 * that a restart (or another replica) does not accept a version below one already held.
 */
async function openTrust(app: FastifyInstance, dispatcher: Dispatcher): Promise<TrustStore | undefined> {
  const { config } = app
  const db = app.database.db
  const { trustAnchorFile, trustListFile, trustListUrl, trustListPollMs } = config.federation
  if (!trustAnchorFile || !(trustListFile || trustListUrl)) {
    app.log.info(
      'no trust list configured (federation.trustListFile or trustListUrl): this node has no peers',
    )
    return undefined
  }
  const anchorFile = resolveConfigPath(config, trustAnchorFile)
  const anchor = await readTrustAnchor(anchorFile).catch((error: unknown) => {
    throw new Error(`federation.trustAnchorFile: ${anchorFile}: ${(error as Error).message}`)
  })
  const floor = await readTrustListFloor(db)
  return openTrustStore({
    ...(floor === undefined ? {} : { minimumVersion: floor }),
    keepVersion: (version) =>
      raiseTrustListFloor(db, version).catch((error: unknown) =>
        app.log.warn(
          { err: error, version },
          'trust list floor not recorded: a restart could take an older version',
        ),
      ),
    source: trustListUrl
      ? { url: trustListUrl, dispatcher, timeoutMs: config.federation.overallTimeoutMs }
      : { file: resolveConfigPath(config, trustListFile as string) },
    anchor,
    pollIntervalMs: trustListPollMs,
    clockToleranceSeconds: config.federation.clockToleranceSeconds,
    onEvent: (event) => {
      const { message, level, ...fields } = event
      app.log[level]({ trustList: fields }, message)
    },
  })
}

function readFederationCa(app: FastifyInstance): string | undefined {
  const caFile = app.config.federation.tls?.caFile
  if (!caFile) return undefined
  try {
    return readFileSync(resolveConfigPath(app.config, caFile), 'utf8')
  } catch (error) {
    throw new Error(
      `federation.tls.caFile: ${caFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    )
  }
}

export default fp(
  async (app) => {
    const { config } = app
    const ca = readFederationCa(app)
    // The list's URL is verified against the federation CA when there is one, like a peer's.
    const trustListFetcher = new Agent({ connections: 1, ...(ca ? { connect: { ca } } : {}) })
    const trust = await openTrust(app, trustListFetcher)
    // Without a list no agency has a role: groups by role match nobody (deny by default).
    const roles = () => trust?.roles() ?? {}
    app.policyStore.useTrustRoles(roles)
    const db = app.database.db
    const client = createPeerClient({
      self: config.agency,
      signingKey: app.audit.signingKey,
      settings: { ...config.federation, ...(ca ? { ca } : {}) },
    })
    const purge = () => purgeExpiredPeerAssertions(db)
    const timer = setInterval(() => {
      purge().catch((error: unknown) => app.log.warn({ err: error }, 'replay cache purge failed'))
    }, 60_000)
    timer.unref()

    const peersOf = () => trust?.peers(config.agency) ?? []
    const metrics = registerFederationMetrics(app.metrics.registry, { trust, client, peers: peersOf })

    const statisticsDocument = parse(peerStatisticsQuery)
    const statistics: FederationService['statistics'] = async (args, asker, local) => {
      if (!asker.principal) throw new JaringError('UNAUTHENTICATED')
      const principal = asker.principal
      if (!asksPeers(principal, args.reach)) return local()
      const purpose = args.reach?.purpose ?? 'STATISTICS'
      if (purpose !== 'STATISTICS')
        throw new JaringError('VALIDATION_FAILED', {
          path: 'reach.purpose',
          detail: 'Statistics are asked for with the purpose STATISTICS.',
        })
      const request = statisticsRequestOf(args)
      const plan = planReach({ ...args.reach, purpose }, config.agency, peersOf())
      const operation = {
        query: peerStatisticsQuery,
        document: statisticsDocument,
        variables: peerStatisticsVariables(request),
      }
      const [own, outcomes] = await Promise.all([
        local(),
        fanOut(app, asker.request, principal, plan, () => operation, 'statistics'),
      ])
      const tables: AgencyStatistics[] = []
      const peers: PeerReport[] = []
      for (const outcome of outcomes) {
        let report: PeerReport = {
          agency: outcome.agency,
          status: outcome.status,
          latencyMs: outcome.latencyMs,
          code: outcome.code,
        }
        if (outcome.status === 'ANSWERED' && outcome.data) {
          const checked = checkedPeerData(operation, outcome.data, outcome.agency)
          const table = checked && peerTableOf(checked.result, outcome.agency, request)
          if (table) tables.push(table)
          else {
            report = { ...report, status: 'ERROR', code: 'PEER_RESPONSE_INVALID' }
            auditPeerCorrection(asker.request, outcome.agency)
          }
        }
        peers.push(report)
      }
      return withPeerTables(own, tables, peers)
    }
    const service: FederationService = {
      trust,
      client,
      metrics,
      purge,
      statistics,
      async list(field, args, context, info, local) {
        const principal = requirePrincipal(context)
        if (!asksPeers(principal, args.reach)) {
          const page = await local({ filter: args.filter, first: args.first, after: args.after })
          return { ...page, peers: [] }
        }
        const plan = planReach(args.reach, config.agency, peersOf())
        const positions: Positions = args.after ? decodeFederatedCursor(field, args.after) : {}
        const request = context.reply.request as FastifyRequest
        const own = positions[config.agency]
        const localPage =
          own === null
            ? Promise.resolve({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } })
            : local({ filter: args.filter, first: args.first, ...(own ? { after: own } : {}) })
        const active = plan.targets.filter((peer) => positions[peer.agency] !== null)
        const skipped = plan.targets.filter((peer) => positions[peer.agency] === null)
        const operations = new Map(
          active.map((peer) => [
            peer.agency,
            forwardedList(info, field, {
              filter: args.filter,
              first: args.first,
              after: positions[peer.agency] ?? null,
            }),
          ]),
        )
        const [ownPage, outcomes] = await Promise.all([
          localPage,
          fanOut(
            app,
            request,
            principal,
            { ...plan, targets: active },
            (peer) => operations.get(peer.agency) as NonNullable<ReturnType<typeof operations.get>>,
            field,
          ),
        ])
        const next: Positions = { ...positions }
        next[config.agency] = ownPage.pageInfo.hasNextPage ? ownPage.pageInfo.endCursor : null
        const nodes: unknown[] = [...ownPage.nodes]
        const peers: PeerReport[] = []
        const root = responsePathText(info.path)
        const nodesKeys = nodesResponseKeys(info)
        const peerWithheld: PeerWithheldField[] = []
        for (const outcome of outcomes) {
          const operation = operations.get(outcome.agency)
          let report: PeerReport = {
            agency: outcome.agency,
            status: outcome.status,
            latencyMs: outcome.latencyMs,
            code: outcome.code,
          }
          if (outcome.status === 'ANSWERED' && operation && outcome.data) {
            const checked = checkedPeerData(operation, outcome.data, outcome.agency)
            const result = checked?.result as
              | {
                  nodes: Record<string, unknown>[]
                  pageInfo: { hasNextPage: boolean; endCursor: string | null }
                }
              | undefined
            const placed =
              result &&
              nodesKeys.map((nodesKey) =>
                placePeerWithheld(
                  outcome.withheld ?? [],
                  { kind: 'list', root, nodesKey, offset: nodes.length, count: result.nodes.length },
                  outcome.agency,
                ),
              )
            if (!result || !placed || placed.some((entries) => entries === undefined)) {
              report = { ...report, status: 'ERROR', code: 'PEER_RESPONSE_INVALID' }
              auditPeerCorrection(request, outcome.agency)
            } else {
              nodes.push(...result.nodes)
              for (const entries of placed) peerWithheld.push(...(entries ?? []))
              next[outcome.agency] = result.pageInfo.hasNextPage ? result.pageInfo.endCursor : null
            }
          }
          peers.push(report)
        }
        // Agencies already exhausted are still reported, so every page names every agency asked.
        for (const peer of skipped)
          peers.push({ agency: peer.agency, status: 'ANSWERED', latencyMs: null, code: null })
        peers.sort((a, b) => (a.agency < b.agency ? -1 : 1))
        noteWithheldFields(context, peerWithheld)
        const hasNextPage = Object.values(next).some((position) => position !== null)
        return {
          nodes: nodes as FederatedPage<never>['nodes'],
          pageInfo: {
            hasNextPage,
            endCursor: nodes.length > 0 || hasNextPage ? encodeFederatedCursor(field, next) : null,
          },
          peers,
        }
      },
      async record(args, context, info, local) {
        const principal = requirePrincipal(context)
        const owner = args.id.split(':')[0] ?? ''
        if (owner === config.agency || !asksPeers(principal, args.reach)) return local()
        const plan = planReach(args.reach, config.agency, peersOf())
        const target = plan.targets.find((peer) => peer.agency === owner)
        if (!target) {
          if (plan.untrusted.includes(owner)) throw new JaringError('PEER_NOT_TRUSTED', { path: 'id' })
          return local()
        }
        const operation = forwardedRecord(info, args.id)
        const request = context.reply.request as FastifyRequest
        const [outcome] = await fanOut(
          app,
          request,
          principal,
          { ...plan, targets: [target], untrusted: [] },
          () => operation,
          'record',
        )
        if (!outcome) return null
        if (outcome.status === 'ANSWERED' && outcome.data) {
          const checked = checkedPeerData(operation, outcome.data, owner)
          const placed =
            checked &&
            placePeerWithheld(
              outcome.withheld ?? [],
              { kind: 'record', root: responsePathText(info.path) },
              owner,
            )
          if (!checked || !placed) {
            auditPeerCorrection(request, owner)
            throw new JaringError('PEER_RESPONSE_INVALID', { path: 'id' })
          }
          noteWithheldFields(context, placed)
          return (checked.result as Record<string, unknown> | null) ?? null
        }
        const code = isCatalogued(outcome.code) ? outcome.code : 'PEER_ERROR'
        throw new JaringError(code === 'NOT_FOUND' ? 'NOT_FOUND' : code, { path: 'id' })
      },
    }
    app.decorate('federation', service)

    wrapSchemaForRemoteRecords(app.graphql.schema)
    await registerInboundRoute(app, {
      remember: (entry) => rememberPeerAssertion(db, entry),
    })

    app.addHook('onClose', async () => {
      clearInterval(timer)
      await client.close()
      await trust?.close()
      await trustListFetcher.close()
    })
  },
  { name: 'federation', dependencies: ['database', 'operations', 'policy', 'audit', 'graphql'] },
)

/** A peer answer that failed the asker's check is recorded as an ERROR in the trail, not ANSWERED. */
function auditPeerCorrection(request: FastifyRequest, agency: string): void {
  const trail = request.auditTrail
  const entry = trail?.peers.find((peer) => peer.agency === agency)
  if (entry) {
    entry.status = 'ERROR'
    entry.code = 'PEER_RESPONSE_INVALID'
  }
}
