/**
 * Scopes of the GraphQL root fields: every field of the schema maps to a scope, and each role
 * reaches exactly the fields its scopes allow, through the front door. The secretariat reaches no
 * record at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildJaringSchema } from '../../../schema/index.ts'
import { type Role, roleScopes, roles, type Scope } from '../../../services/node/auth/scopes.ts'
import { type FieldScope, rootFieldScopes, scopeOfRootField } from '../../../services/node/graphql/scopes.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { codes, createFixtures, type Fixtures, graphql } from '../records/fixtures.ts'

describe('root field scopes', () => {
  const schema = buildJaringSchema()
  const rootFields = (['Query', 'Mutation', 'Subscription'] as const).flatMap((type) => {
    const root = schema.getType(type)
    return root && 'getFields' in root
      ? Object.keys(root.getFields()).map((field) => [type, field] as const)
      : []
  })

  it('maps every root field of the schema to a scope', () => {
    expect(rootFields.length).toBeGreaterThan(10)
    const unmapped = rootFields.filter(([type, field]) => !scopeOfRootField(type, field))
    expect(unmapped).toEqual([])
  })

  it('maps no field the schema lacks', () => {
    const inSchema = new Set(rootFields.map(([type, field]) => `${type}.${field}`))
    const stale = Object.entries(rootFieldScopes).flatMap(([type, fields]) =>
      Object.keys(fields)
        .map((field) => `${type}.${field}`)
        .filter((name) => !inSchema.has(name)),
    )
    expect(stale).toEqual([])
  })
})

function grants(role: Role, scope: FieldScope): boolean {
  const held = new Set<Scope>(roleScopes[role])
  return typeof scope === 'string' ? held.has(scope) : scope.anyOf.some((s) => held.has(s))
}

describe(`root field scopes enforced on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let fixtures: Fixtures
  const tokens = {} as Record<Role, string>

  beforeAll(async () => {
    node = await buildTestApp()
    fixtures = await createFixtures(node.app.records)
    for (const role of roles) tokens[role] = await node.token(role)
  })

  afterAll(async () => {
    await node?.close()
  })

  /** One operation per root field: a read, a valid create, an update at a stale version. */
  function operation(field: string, role: Role): { query: string; variables?: Record<string, unknown> } {
    const ref = `SCOPE-${role}`
    const stale = (id: string) => ({ input: { id, version: 99 } })
    switch (field) {
      case 'cases':
      case 'persons':
      case 'syndicates':
      case 'intelReports':
        return { query: `{ ${field}(first: 1) { nodes { id } peers { agency } } }` }
      case 'record':
        return {
          query: 'query ($id: ID!) { record(id: $id) { id } }',
          variables: { id: fixtures.persons.nguyen.id },
        }
      case 'statistics':
        return { query: '{ statistics(measures: [CASES_OPENED]) { tables { agency totals { value } } } }' }
      case 'auditEvents':
        return { query: '{ auditEvents(first: 5) { nodes { seq requestId } } }' }
      case 'sharingAgreement':
        return { query: '{ sharingAgreement(with: "VN-MPS") { with agreements { id } } }' }
      case 'policyExplain':
        return {
          query:
            'query ($id: ID!) { policyExplain(recordId: $id, as: "VN-MPS", purpose: INVESTIGATION) { agreementId } }',
          variables: { id: fixtures.persons.nguyen.id },
        }
      case 'createCase':
        return {
          query: 'mutation ($input: CreateCaseInput!) { createCase(input: $input) { id } }',
          variables: {
            input: {
              externalRef: ref,
              title: 'T',
              crimeCategory: 'CYBERCRIME',
              country: 'TH',
              openedOn: '2025-01-01',
            },
          },
        }
      case 'createPerson':
        return {
          query: 'mutation ($input: CreatePersonInput!) { createPerson(input: $input) { id } }',
          variables: { input: { externalRef: ref, names: [{ fullName: 'Scope Test' }] } },
        }
      case 'createSyndicate':
        return {
          query: 'mutation ($input: CreateSyndicateInput!) { createSyndicate(input: $input) { id } }',
          variables: { input: { externalRef: ref, name: 'Scope', crimeCategory: 'CYBERCRIME' } },
        }
      case 'createIntelReport':
        return {
          query: 'mutation ($input: CreateIntelReportInput!) { createIntelReport(input: $input) { id } }',
          variables: {
            input: {
              externalRef: ref,
              title: 'T',
              body: 'B',
              sourceGrading: 'C',
              informationGrading: 'THREE',
              crimeCategory: 'CYBERCRIME',
              reportedOn: '2025-01-01',
            },
          },
        }
      case 'updateCase':
        return {
          query: 'mutation ($input: UpdateCaseInput!) { updateCase(input: $input) { id } }',
          variables: stale(fixtures.cases.drugs.id),
        }
      case 'updatePerson':
        return {
          query: 'mutation ($input: UpdatePersonInput!) { updatePerson(input: $input) { id } }',
          variables: stale(fixtures.persons.somchai.id),
        }
      case 'updateSyndicate':
        return {
          query: 'mutation ($input: UpdateSyndicateInput!) { updateSyndicate(input: $input) { id } }',
          variables: stale(fixtures.syndicates.dragon.id),
        }
      case 'updateIntelReport':
        return {
          query: 'mutation ($input: UpdateIntelReportInput!) { updateIntelReport(input: $input) { id } }',
          variables: stale(fixtures.reports.compound.id),
        }
    }
    throw new Error(`no operation for the root field ${field}: add one`)
  }

  const fields = Object.entries(rootFieldScopes).flatMap(([, byField]) =>
    Object.entries(byField as Record<string, FieldScope>),
  )

  for (const role of roles) {
    it(`lets ${role} reach exactly the root fields its scopes allow`, async () => {
      for (const [field, scope] of fields) {
        const { query, variables } = operation(field, role)
        const answer = await graphql(node, tokens[role], query, variables)
        if (grants(role, scope)) {
          expect(codes(answer), `${role} ${field}`).not.toContain('FORBIDDEN')
          if (field.startsWith('update'))
            expect(codes(answer), `${role} ${field}`).toEqual(['VERSION_CONFLICT'])
          else expect(answer.errors, `${role} ${field}`).toBeUndefined()
        } else {
          expect(codes(answer), `${role} ${field}`).toEqual(['FORBIDDEN'])
          // A nullable field (record) leaves data with a null in it, which answers 200; else 403.
          if (answer.data) expect(answer.data[field], `${role} ${field}`).toBeNull()
          else expect(answer.status, `${role} ${field}`).toBe(403)
        }
      }
    })
  }

  it('gives the secretariat no record, under any field, type or alias', async () => {
    const query = `{
      a: cases { nodes { id } }
      b: persons(filter: { name: "nguyen" }) { nodes { id } }
      c: syndicates { nodes { id } }
      d: intelReports { nodes { id } }
    }`
    const answer = await graphql(node, tokens.secretariat, query)
    expect(answer.data ?? null).toBeNull()
    expect(answer.status).toBe(403)
    // The first non-null root field to fail ends the execution: one error, never any record.
    expect(codes(answer)).toEqual(['FORBIDDEN'])
    for (const id of [fixtures.cases.closedScam.id, fixtures.persons.percent.id]) {
      const record = await graphql(node, tokens.secretariat, 'query ($id: ID!) { record(id: $id) { id } }', {
        id,
      })
      expect(codes(record)).toEqual(['FORBIDDEN'])
      expect(record.data?.record).toBeNull()
      expect(JSON.stringify(record)).not.toContain(id.split(':')[1])
    }
  })

  it('refuses a request without a token before any field runs', async () => {
    const response = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ cases { nodes { id } } }' }),
    })
    expect(response.statusCode).toBe(401)
    expect(response.json().data ?? null).toBeNull()
  })
})
