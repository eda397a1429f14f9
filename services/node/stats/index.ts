/**
 * The `stats` plugin: decorates `app.stats`, this node's statistics over its own records with
 * disclosure control (docs/statistics.md), used by GraphQL `statistics` and the CSV route alike,
 * and serves the secretariat's chart page at `/stats`.
 */
import fp from 'fastify-plugin'
import type { Principal } from '../auth/principal.ts'
import type { StatisticsArguments } from './model.ts'
import { statisticsPage } from './page.ts'
import { localStatistics, type StatisticsResult } from './service.ts'

export interface StatisticsService {
  /** This node's table for the principal; the federation adds peers' tables to it. */
  local(principal: Principal | null | undefined, args: StatisticsArguments): Promise<StatisticsResult>
}

declare module 'fastify' {
  interface FastifyInstance {
    stats: StatisticsService
  }
}

export default fp(
  async (app) => {
    const source = {
      db: app.database.db,
      agency: app.config.agency,
      policy: () => app.policy,
      trustRoles: () => app.policyStore.trustRoles(),
    }
    app.decorate('stats', {
      local: (principal, args) => localStatistics(source, principal, args),
    } satisfies StatisticsService)
    await app.register(statisticsPage)
  },
  { name: 'stats', dependencies: ['database', 'policy'] },
)
