import { getTableColumns } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { cases, identifiers, intelReports, persons, syndicates } from '../../../db/schema/records.ts'
import { buildJaringSchema } from '../../../schema/index.ts'
import {
  identifierValueFields,
  type PolicyResource,
  policyResources,
  resourceModels,
} from '../../../services/node/policy/resources.ts'

const tables = { cases, persons, identifiers, syndicates, intelReports }
const graphqlTypes: Record<PolicyResource, string> = {
  cases: 'Case',
  persons: 'Person',
  identifiers: 'Identifier',
  syndicates: 'Syndicate',
  intelReports: 'IntelReport',
}

function classified(resource: PolicyResource): Set<string> {
  const model = resourceModels[resource]
  return new Set([
    ...model.structural,
    ...Object.keys(model.fields),
    ...Object.values(model.fields).flatMap((field) => field.companions),
    ...(resource === 'identifiers' ? identifierValueFields : []),
  ])
}

describe('the policy’s resource model', () => {
  it.each(policyResources)(
    'classifies every column of the %s table, so none is released unclassified',
    (resource) => {
      const known = classified(resource)
      const unclassified = Object.keys(getTableColumns(tables[resource])).filter(
        (column) => !known.has(column),
      )
      expect(unclassified).toEqual([])
    },
  )

  it.each(policyResources)('rules only %s fields the GraphQL schema lets be empty', (resource) => {
    const type = buildJaringSchema().getType(graphqlTypes[resource]) as {
      getFields(): Record<string, { type: { toString(): string } }>
    }
    const fields = type.getFields()
    for (const [field, definition] of Object.entries(resourceModels[resource].fields)) {
      const graphqlType = fields[field]?.type.toString()
      expect(graphqlType, `${resource}.${field}`).toBeDefined()
      if (definition.omitted === null) expect(graphqlType, `${resource}.${field}`).not.toMatch(/!$/)
      else expect(graphqlType, `${resource}.${field}`).toMatch(/^\[.*\]!?$/)
    }
  })
})
