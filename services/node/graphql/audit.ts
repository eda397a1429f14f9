/**
 * The audit trail of a GraphQL request: which operation ran, and the fields the policy withheld.
 * A mutation runs in one transaction with its audit row: the transaction opens here, before
 * execution, and the audit plugin commits it with the row once the response is ready.
 */
import type { FastifyInstance } from 'fastify'
import type { DocumentNode, OperationDefinitionNode } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { holdTransaction } from '../../../db/held-transaction.ts'
import { auditTrailOf } from '../audit/trail.ts'
import { withheldFieldsOf } from '../policy/graphql.ts'

/** The operation a request runs: the one named, or the only one of the document. */
function selectedOperation(document: DocumentNode, name: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition',
  )
  if (typeof name === 'string') return operations.find((operation) => operation.name?.value === name)
  return operations.length === 1 ? operations[0] : undefined
}

/** The operation's name, else its root fields (`persons,record`). */
function operationLabel(operation: OperationDefinitionNode): string {
  if (operation.name) return operation.name.value
  return operation.selectionSet.selections
    .map((selection) => (selection.kind === 'Field' ? selection.name.value : `...${selection.kind}`))
    .join(',')
}

export function auditOperation(app: FastifyInstance) {
  return async (_schema: unknown, document: DocumentNode, context: MercuriusContext): Promise<void> => {
    const request = context.reply.request
    const body = (request.method === 'GET' ? request.query : request.body) as
      | { operationName?: unknown }
      | undefined
    const operation = selectedOperation(document, body?.operationName)
    if (!operation) return
    const trail = auditTrailOf(request)
    trail.operationKind = operation.operation === 'mutation' ? 'MUTATION' : 'QUERY'
    trail.operationName = operationLabel(operation)
    if (operation.operation === 'mutation' && app.audit.enabled) {
      trail.transaction = await holdTransaction(app.database.db)
      context.records = app.records.within(trail.transaction.db)
    }
  }
}

export async function auditWithheld(_execution: unknown, context: MercuriusContext): Promise<void> {
  const withheld = withheldFieldsOf(context)
  if (withheld.length === 0) return
  auditTrailOf(context.reply.request).withheld.push(...withheld.map(({ path, rule }) => ({ path, rule })))
}
