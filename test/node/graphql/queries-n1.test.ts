/**
 * Nested fields are batched: a nested query runs the same few SQL statements whatever the page
 * size. Statements are counted through the drizzle logger of the test database.
 */
import type { Logger } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { accessOf, graphql } from '../records/fixtures.ts'

const casesCreated = 24
/**
 * What a batched query costs at most: one statement per list or nested field in the document, and
 * for a report's subjects (a union) the links plus one per subject type. It never depends on the
 * page size. Two occurrences of one field (a person's identifiers under a case and under a report)
 * share a statement when they resolve in the same tick, so the count may be lower, never higher.
 */
const bound = { nestedCases: 15, reports: 7, syndicates: 6 }

describe(`GraphQL nested fields without N+1 on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let token: string
  const statements: string[] = []
  const logger: Logger = { logQuery: (query) => statements.push(query) }

  beforeAll(async () => {
    // The queries are deliberately deep and wide: the document limits are not what this suite tests.
    node = await buildTestApp({
      databaseOptions: { logger },
      // No checkpoint timer firing in the middle of a count.
      config: { graphql: { maxDepth: 12, maxCost: 1_000_000 }, audit: { checkpointIntervalSeconds: 86_400 } },
    })
    token = await node.token('system')
    const records = node.app.records
    const access = accessOf(records)
    await records.transaction(async (tx) => {
      const syndicate = await tx.syndicates.upsertByExternalRef(access, {
        externalRef: 'S-N1',
        name: 'Batch',
        crimeCategory: 'CYBERCRIME',
      })
      const members: { personId: string; role: 'MEMBER' }[] = []
      const caseIds: string[] = []
      for (let index = 0; index < casesCreated; index++) {
        const persons = []
        for (const role of ['SUSPECT', 'VICTIM'] as const) {
          const { record } = await tx.persons.upsertByExternalRef(access, {
            externalRef: `P-N1-${index}-${role}`,
            names: [{ fullName: `Person ${role} ${index}` }, { kind: 'ALIAS', fullName: `Alias ${index}` }],
            identifiers: [
              { kind: 'EMAIL', value: `p${index}.${role.toLowerCase()}@example.org` },
              { kind: 'PASSPORT', value: `AB${String(index).padStart(6, '0')}${role === 'VICTIM' ? 1 : 2}` },
            ],
          })
          persons.push({ personId: record.id, role })
          if (role === 'SUSPECT') members.push({ personId: record.id, role: 'MEMBER' })
        }
        const { record } = await tx.cases.upsertByExternalRef(access, {
          externalRef: `C-N1-${index}`,
          title: `Case ${index}`,
          crimeCategory: 'CYBERCRIME',
          country: 'TH',
          openedOn: `2025-01-${String((index % 28) + 1).padStart(2, '0')}`,
          persons,
        })
        caseIds.push(record.id)
        await tx.intelReports.upsertByExternalRef(access, {
          externalRef: `I-N1-${index}`,
          title: `Report ${index}`,
          body: 'About the case, its suspect and the syndicate.',
          sourceGrading: 'B',
          informationGrading: 'TWO',
          crimeCategory: 'CYBERCRIME',
          reportedOn: '2025-02-01',
          subjectIds: [record.id, persons[0]?.personId as string, syndicate.record.id],
        })
      }
      await tx.syndicates.upsertByExternalRef(access, {
        externalRef: 'S-N1',
        name: 'Batch',
        crimeCategory: 'CYBERCRIME',
        members,
        caseIds,
      })
    })
  })

  afterAll(async () => {
    await node?.close()
  })

  /** The request's own audit row: the same few statements whatever the query, counted apart. */
  // The append is two statements (lock the head, insert and move it); its own transaction shows as
  // begin and commit on PostgreSQL, not on PGlite.
  const isAuditStatement = (statement: string) =>
    /"audit_(log|chain_head)"|set_config\('lock_timeout'|^(begin|commit)$/.test(statement)
  /** The audit statements of the first request counted: every later request must have as many. */
  let auditStatementsPerRequest: number | undefined

  /** The statements that read records for one request; its audit append is checked to stay constant. */
  /** The replay cache's purge runs on a timer of its own, whatever the requests do. */
  const isBackgroundStatement = (statement: string) => /"peer_assertions_seen"/.test(statement)

  async function countStatements(query: string, first: number): Promise<number> {
    statements.length = 0
    const answer = await graphql(node, token, query, { first })
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined()
    const ofRequest = statements.filter((statement) => !isBackgroundStatement(statement))
    const audit = ofRequest.filter(isAuditStatement).length
    auditStatementsPerRequest ??= audit
    expect(audit).toBeGreaterThanOrEqual(2)
    expect(audit).toBe(auditStatementsPerRequest)
    return ofRequest.filter((statement) => !isAuditStatement(statement)).length
  }

  it('reads cases with persons, names, identifiers, cases and syndicates in a bounded number of statements', async () => {
    const query = `query ($first: Int) { cases(first: $first) { nodes {
      id title
      persons { role person {
        primaryName { fullName } names { fullName } identifiers { kind normalised }
        cases { role case { id } }
        syndicates { role syndicate { id } }
      } }
      syndicates { id members { person { id } } }
      intelReports { id subjects { __typename ... on Person { identifiers { normalised } } } }
    } } }`
    for (const first of [1, 5, 20]) {
      expect(await countStatements(query, first), `first: ${first}`).toBeLessThanOrEqual(bound.nestedCases)
    }
  })

  it('reads reports with their subjects, and syndicates with members and cases, in a bounded number', async () => {
    const reports = `query ($first: Int) { intelReports(first: $first) { nodes {
      id subjects { __typename ... on Case { id persons { person { id } } } ... on Person { names { fullName } } ... on Syndicate { name } }
    } } }`
    for (const first of [1, 20])
      expect(await countStatements(reports, first)).toBeLessThanOrEqual(bound.reports)
    const syndicates = `query ($first: Int) { syndicates(first: $first) { nodes {
      id members { role person { identifiers { normalised } } } cases { id persons { person { id } } } intelReports { id }
    } } }`
    for (const first of [1, 20]) {
      expect(await countStatements(syndicates, first)).toBeLessThanOrEqual(bound.syndicates)
    }
  })
})
