/**
 * `GET /api/v1/audit/events`: the REST mirror of the GraphQL `auditEvents` query, for principals
 * with the `audit:read` scope. Same filters, same rows, same order (newest first).
 */
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { auditDirections, auditOperationKinds, auditOutcomes } from '../../../schema/vocabulary.ts'
import { type AuditEventFilter, auditPage, auditQueryOf } from '../audit/oversight.ts'
import { mirrorInput, mirrorOutput } from './contract.ts'
import { errorResponses, operationDocs } from './openapi.ts'
import {
  AgencyCodeSchema,
  DateTimeSchema,
  IdSchema,
  PageInfoSchema,
  PeerReportSchema,
  pageExtensions,
  pageParameters,
} from './schemas.ts'

const digest = Type.String({ pattern: '^[0-9a-f]{64}$' })
const AuditDirectionSchema = Type.Enum([...auditDirections])
const AuditOutcomeSchema = Type.Enum([...auditOutcomes])

const AuditPrincipalSchema = mirrorOutput('AuditPrincipal', {
  kind: Type.String(),
  agency: AgencyCodeSchema,
  subject: Type.String(),
  roles: Type.Array(Type.String()),
})

const AuditEventSchema = mirrorOutput('AuditEvent', {
  seq: Type.Integer(),
  requestId: Type.String(),
  recordedAt: DateTimeSchema,
  node: AgencyCodeSchema,
  direction: AuditDirectionSchema,
  principal: AuditPrincipalSchema,
  purpose: Type.String(),
  caseReference: Type.String(),
  operationKind: Type.Enum([...auditOperationKinds]),
  operationName: Type.String(),
  outcome: AuditOutcomeSchema,
  reasonCode: Type.String(),
  httpStatus: Type.Integer(),
  recordIds: Type.Array(Type.String()),
  fieldsWithheld: Type.Array(
    mirrorOutput('AuditWithheldField', { path: Type.String(), rule: Type.String() }),
  ),
  peers: Type.Array(PeerReportSchema),
  policyVersion: Type.Integer(),
  policyHash: digest,
  documentDigest: digest,
  variablesDigest: digest,
  responseDigest: digest,
  responseBytes: Type.Integer(),
  receipt: Type.String(),
  rowHash: digest,
  prevHash: digest,
})

const AuditEventConnectionSchema = mirrorOutput('AuditEventConnection', {
  nodes: Type.Array(AuditEventSchema),
  pageInfo: PageInfoSchema,
})

const bounded = (maxLength: number) => Type.String({ minLength: 1, maxLength })

const AuditEventQuery = mirrorInput(
  'AuditEventFilter',
  {
    requestId: Type.Optional(bounded(128)),
    subject: Type.Optional(bounded(256)),
    agency: Type.Optional(AgencyCodeSchema),
    recordId: Type.Optional(IdSchema),
    direction: Type.Optional(AuditDirectionSchema),
    outcome: Type.Optional(AuditOutcomeSchema),
    from: Type.Optional(DateTimeSchema),
    to: Type.Optional(DateTimeSchema),
    ...pageParameters,
  },
  { query: true, extensions: pageExtensions },
)

export const auditReadScope = 'audit:read'

export async function auditRoutes(api: FastifyInstance): Promise<void> {
  api.get(
    '/audit/events',
    {
      config: { scope: auditReadScope },
      schema: {
        ...operationDocs({
          operationId: 'listAuditEvents',
          tag: 'audit',
          scope: auditReadScope,
          summary: 'List audit rows',
          description:
            'This node’s audit rows matching every given filter, newest first, as the GraphQL `auditEvents` query returns them. `direction=INBOUND` with a `recordId` answers who across the federation asked about that record, and why.',
        }),
        querystring: AuditEventQuery,
        response: { 200: AuditEventConnectionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { first, after, ...filter } = request.query as AuditEventFilter & {
        first?: number
        after?: string
      }
      const query = auditQueryOf(
        { filter, ...(first === undefined ? {} : { first }), ...(after === undefined ? {} : { after }) },
        api.config.graphql.maxPageSize,
        '',
      )
      return auditPage(await api.audit.query(query), query)
    },
  )
}
