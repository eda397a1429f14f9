/**
 * `GET /api/v1/statistics.csv`: the GraphQL `statistics` query as CSV, with the same parameters in
 * the query string (lists repeated: `measures=CASES_OPENED&measures=VICTIMS`). The same service
 * answers both, so suppression and refusals are the same.
 */
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { statisticsDimensions, statisticsMeasures } from '../../../schema/index.ts'
import { crimeCategories } from '../../../schema/vocabulary.ts'
import { statisticsCsv } from '../stats/csv.ts'
import { errorResponses, operationDocs } from './openapi.ts'

export const statisticsReadScope = 'stats:read'

const month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'A calendar month, YYYY-MM.' })

const StatisticsQuery = Type.Object(
  {
    measures: Type.Array(Type.Enum([...statisticsMeasures]), {
      minItems: 1,
      maxItems: statisticsMeasures.length,
      description: 'What to count (repeat the parameter for several).',
    }),
    groupBy: Type.Optional(
      Type.Array(Type.Enum([...statisticsDimensions]), {
        maxItems: statisticsDimensions.length,
        description: 'How to group the counts (repeat the parameter for several).',
      }),
    ),
    fromMonth: Type.Optional({ ...month, description: 'The first month counted (inclusive), YYYY-MM.' }),
    toMonth: Type.Optional({ ...month, description: 'The last month counted (inclusive), YYYY-MM.' }),
    crimeCategories: Type.Optional(
      Type.Array(Type.Enum([...crimeCategories]), {
        minItems: 1,
        maxItems: crimeCategories.length,
        description: 'Count these crime categories only.',
      }),
    ),
    reach: Type.Optional(
      Type.Array(Type.String({ pattern: '^(all|[A-Z]{2}-[A-Z0-9]{2,10})$' }), {
        minItems: 1,
        maxItems: 64,
        description:
          'Which agencies to ask as well (purpose STATISTICS): `all`, or agency codes (repeat the parameter for several).',
      }),
    ),
  },
  { additionalProperties: false },
)

interface StatisticsQueryString {
  measures: string[]
  groupBy?: string[]
  fromMonth?: string
  toMonth?: string
  crimeCategories?: string[]
  reach?: string[]
}

export async function statisticsRoutes(api: FastifyInstance): Promise<void> {
  api.get(
    '/statistics.csv',
    {
      config: { scope: statisticsReadScope },
      schema: {
        ...operationDocs({
          operationId: 'statisticsCsv',
          tag: 'statistics',
          scope: statisticsReadScope,
          summary: 'Statistics as CSV',
          description:
            'Counts, grouped and filtered as the GraphQL `statistics` query takes them: this node’s and, with `reach`, every other agency’s that answers, one line per cell and one per total, then (with `reach`) the merged cells and totals and one line per peer. Counts under an agency’s minimum cell size are suppressed at that agency: the value is empty and `suppressed` is true (docs/statistics.md).',
        }),
        querystring: StatisticsQuery,
        produces: ['text/csv'],
        response: {
          200: { type: 'string', description: 'CSV (RFC 4180) with a header line.' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const {
        measures,
        groupBy,
        fromMonth,
        toMonth,
        crimeCategories: categories,
        reach,
      } = request.query as StatisticsQueryString
      const args = {
        measures,
        groupBy: groupBy ?? null,
        filter: {
          fromMonth: fromMonth ?? null,
          toMonth: toMonth ?? null,
          crimeCategories: categories ?? null,
        },
      }
      const all = reach?.includes('all') ?? false
      const result = await api.federation.statistics(
        {
          ...args,
          reach: reach && {
            all,
            agencies: all ? null : reach,
            purpose: 'STATISTICS',
          },
        },
        { principal: request.principal, request },
        () => api.stats.local(request.principal, args),
      )
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="statistics.csv"')
        .header('cache-control', 'no-store')
      return statisticsCsv(result)
    },
  )
}
