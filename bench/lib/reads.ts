/**
 * The one-record read the node benchmarks load: `record(id:)` of a person that a liaison officer
 * of the node's own agency may see, by a token from `jaring token --role liaison`.
 */
import type { BenchNode } from './node.ts'
import { withClient } from './postgres.ts'

export const recordQuery = `query Read($id: ID!) {
  record(id: $id) {
    id
    tlp
    ... on Person { externalRef nationality gender status primaryName { fullName script romanised } }
  }
}`

export const typenameQuery = '{ __typename }'

/** A person id the liaison token may read, found through the node itself. */
export async function readablePersonId(node: BenchNode, token: string): Promise<string> {
  const answer = await node.graphql('{ persons(first: 1) { nodes { id } } }', {}, token)
  const nodes = (answer.data?.persons as { nodes?: Array<{ id: string }> } | undefined)?.nodes
  const id = nodes?.[0]?.id
  if (!id) throw new Error(`${node.label}: persons(first: 1) found nobody: ${JSON.stringify(answer)}`)
  const check = await node.graphql(recordQuery, { id }, token)
  if (check.errors || !(check.data?.record as { id?: string } | null)?.id) {
    throw new Error(`${node.label}: record(id: "${id}") did not answer the record: ${JSON.stringify(check)}`)
  }
  return id
}

/** Rows in the audit log (to check what a run of requests wrote). */
export async function auditRows(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM audit_log')
    return Number(rows[0]?.count ?? 0)
  })
}
