/**
 * `statistics` through the front door, on the harness's database: the counts computed in SQL over
 * known records, suppression before anything leaves, the rule against differencing, the CSV route,
 * and the secretariat's token reaching statistics and nothing else.
 */
import { getNamedType, isObjectType } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildJaringSchema } from '../../../schema/index.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { codes, graphql } from '../records/fixtures.ts'
import { addCases, addSyndicates } from './fixture.ts'

const statisticsQuery = `query ($measures: [StatisticsMeasure!]!, $groupBy: [StatisticsDimension!], $filter: StatisticsFilter) {
  statistics(measures: $measures, groupBy: $groupBy, filter: $filter) {
    measures groupBy fromMonth toMonth
    tables {
      agency minimumCell
      cells { measure agency crimeCategory month year nationality status value suppressed complete }
      totals { measure value includesSuppressed complete suppressedCells }
    }
    peers { agency status }
  }
}`

interface Cell {
  measure: string
  agency: string | null
  crimeCategory: string | null
  month: string | null
  year: number | null
  nationality: string | null
  status: string | null
  value: number | null
  suppressed: boolean
  complete: boolean
}
interface Table {
  agency: string
  minimumCell: number
  cells: Cell[]
  totals: {
    measure: string
    value: number
    includesSuppressed: boolean
    complete: boolean
    suppressedCells: number
  }[]
}
interface Result {
  tables: Table[]
  peers: unknown[]
}

describe(`statistics on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let secretariat: string

  async function statistics(variables: Record<string, unknown>, token = secretariat) {
    const answer = await graphql<{ statistics: Result }>(node, token, statisticsQuery, variables)
    expect(answer.errors).toBeUndefined()
    const result = answer.data?.statistics as Result
    expect(result.tables).toHaveLength(1)
    return result.tables[0] as Table
  }

  const cellsOf = (table: Table) =>
    table.cells.map(
      ({ measure, crimeCategory, month, year, nationality, status, value, suppressed, complete }) => ({
        measure,
        ...(crimeCategory ? { crimeCategory } : {}),
        ...(month ? { month } : {}),
        ...(year ? { year } : {}),
        ...(nationality ? { nationality } : {}),
        ...(status ? { status } : {}),
        value,
        suppressed,
        complete,
      }),
    )

  beforeAll(async () => {
    node = await buildTestApp()
    const db = node.database
    // Trafficking, January: 7 cases, each with a Myanmar victim rescued in February.
    await addCases(db, 7, {
      category: 'TRAFFICKING_IN_PERSONS',
      opened: '2026-01',
      persons: [{ role: 'VICTIM', nationality: 'MM', status: 'RESCUED', statusMonth: '2026-02' }],
    })
    // Trafficking, February: 3 cases (under the minimum), each with a Vietnamese person at risk.
    await addCases(db, 3, {
      category: 'TRAFFICKING_IN_PERSONS',
      opened: '2026-02',
      persons: [{ role: 'PERSON_AT_RISK', nationality: 'VN', status: 'TRAPPED' }],
    })
    // Cybercrime, January: 5 closed in March and 1 still open.
    await addCases(db, 5, { category: 'CYBERCRIME', opened: '2026-01', closed: '2026-03' })
    await addCases(db, 1, { category: 'CYBERCRIME', opened: '2026-01' })
    // RED cases: above what the node's own statistics count.
    await addCases(db, 6, { category: 'ILLICIT_DRUG_TRAFFICKING', opened: '2026-03', tlp: 'RED' })
    await addSyndicates(db, 6, 'TRAFFICKING_IN_PERSONS')
    await addSyndicates(db, 2, 'CYBERCRIME')
    await addSyndicates(db, 4, 'TRAFFICKING_IN_PERSONS', 'DISRUPTED')
    secretariat = await node.token('secretariat')
  })

  afterAll(async () => {
    await node?.close()
  })

  it('counts cases by category and month, suppressing the small cell before it leaves', async () => {
    const table = await statistics({ measures: ['CASES_OPENED'], groupBy: ['CRIME_CATEGORY', 'MONTH'] })
    expect(table.agency).toBe('TH-RTP')
    expect(table.minimumCell).toBe(5)
    expect(cellsOf(table)).toEqual([
      {
        measure: 'CASES_OPENED',
        crimeCategory: 'CYBERCRIME',
        month: '2026-01',
        value: 6,
        suppressed: false,
        complete: true,
      },
      {
        measure: 'CASES_OPENED',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        month: '2026-01',
        value: 7,
        suppressed: false,
        complete: true,
      },
      {
        measure: 'CASES_OPENED',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        month: '2026-02',
        value: null,
        suppressed: true,
        complete: false,
      },
    ])
    expect(table.totals).toEqual([
      { measure: 'CASES_OPENED', value: 13, includesSuppressed: false, complete: false, suppressedCells: 1 },
    ])
  })

  it('counts every measure on its own date', async () => {
    const table = await statistics({
      measures: [
        'CASES_CLOSED',
        'VICTIMS',
        'PERSONS_AT_RISK',
        'PERSONS_RESCUED',
        'PERSONS_REPATRIATED',
        'ACTIVE_SYNDICATES',
      ],
      groupBy: ['CRIME_CATEGORY', 'YEAR', 'MONTH'],
    })
    expect(cellsOf(table)).toEqual([
      {
        measure: 'CASES_CLOSED',
        crimeCategory: 'CYBERCRIME',
        month: '2026-03',
        year: 2026,
        value: 5,
        suppressed: false,
        complete: true,
      },
      {
        measure: 'VICTIMS',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        month: '2026-01',
        year: 2026,
        value: 7,
        suppressed: false,
        complete: true,
      },
      {
        measure: 'PERSONS_AT_RISK',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        month: '2026-02',
        year: 2026,
        value: null,
        suppressed: true,
        complete: false,
      },
      {
        measure: 'PERSONS_RESCUED',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        month: '2026-02',
        year: 2026,
        value: 7,
        suppressed: false,
        complete: true,
      },
      {
        measure: 'ACTIVE_SYNDICATES',
        crimeCategory: 'CYBERCRIME',
        value: null,
        suppressed: true,
        complete: false,
      },
      {
        measure: 'ACTIVE_SYNDICATES',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        value: 6,
        suppressed: false,
        complete: true,
      },
    ])
    expect(table.totals.find((total) => total.measure === 'PERSONS_REPATRIATED')).toEqual({
      measure: 'PERSONS_REPATRIATED',
      value: 0,
      includesSuppressed: false,
      complete: true,
      suppressedCells: 0,
    })
  })

  it('groups persons by nationality and status, and filters by category and month', async () => {
    const table = await statistics({
      measures: ['VICTIMS', 'PERSONS_AT_RISK'],
      groupBy: ['NATIONALITY', 'STATUS'],
      filter: { crimeCategories: ['TRAFFICKING_IN_PERSONS'], fromMonth: '2026-01', toMonth: '2026-02' },
    })
    expect(cellsOf(table)).toEqual([
      {
        measure: 'VICTIMS',
        nationality: 'MM',
        status: 'RESCUED',
        value: 7,
        suppressed: false,
        complete: true,
      },
      {
        measure: 'PERSONS_AT_RISK',
        nationality: 'VN',
        status: 'TRAPPED',
        value: null,
        suppressed: true,
        complete: false,
      },
    ])
    const cyber = await statistics({
      measures: ['CASES_OPENED'],
      filter: { crimeCategories: ['CYBERCRIME'] },
    })
    expect(cyber.totals[0]?.value).toBe(6)
    const march = await statistics({ measures: ['CASES_OPENED'], filter: { fromMonth: '2026-03' } })
    expect(march.cells).toEqual([])
  })

  it('never gives a suppressed count away by subtracting nested ranges or complementary filters', async () => {
    const total = async (filter: Record<string, unknown>, groupBy: string[] = []) =>
      (await statistics({ measures: ['CASES_OPENED'], groupBy, filter })).totals[0]?.value
    // February's 3 trafficking cases are suppressed: no pair of allowed queries differs by 3.
    const januaryToFebruary = await total({ fromMonth: '2026-01', toMonth: '2026-02' })
    const january = await total({ fromMonth: '2026-01', toMonth: '2026-01' })
    expect((januaryToFebruary ?? 0) - (january ?? 0)).toBe(0)
    const both = await total({ crimeCategories: ['TRAFFICKING_IN_PERSONS', 'CYBERCRIME'] })
    const cyber = await total({ crimeCategories: ['CYBERCRIME'] })
    const trafficking = await total({ crimeCategories: ['TRAFFICKING_IN_PERSONS'] })
    expect(both).toBe(13)
    expect((both ?? 0) - (cyber ?? 0)).toBe(trafficking)
    expect(trafficking).toBe(7)
    // Cybercrime in January is 6 as a whole; split by status, CLOSED=5 would give OPEN=1 away.
    const byStatus = await statistics({
      measures: ['CASES_OPENED'],
      groupBy: ['STATUS'],
      filter: { crimeCategories: ['CYBERCRIME'] },
    })
    expect(cellsOf(byStatus)).toEqual([
      { measure: 'CASES_OPENED', status: 'CLOSED', value: null, suppressed: true, complete: false },
      { measure: 'CASES_OPENED', status: 'OPEN', value: null, suppressed: true, complete: false },
    ])
  })

  it('refuses bad arguments with coded errors and no detail of the query', async () => {
    for (const [variables, path] of [
      [{ measures: [] }, 'measures'],
      [{ measures: ['CASES_OPENED'], filter: { fromMonth: '2026-1' } }, 'filter.fromMonth'],
      [
        { measures: ['CASES_OPENED'], filter: { fromMonth: '2026-05', toMonth: '2026-01' } },
        'filter.toMonth',
      ],
    ] as const) {
      const answer = await graphql(node, secretariat, statisticsQuery, variables)
      expect(codes(answer)).toEqual(['VALIDATION_FAILED'])
      expect(answer.errors?.[0]?.extensions.path ?? answer.errors?.[0]?.path).toBeDefined()
      expect(JSON.stringify(answer)).not.toMatch(/select|from "|stack/i)
      expect(JSON.stringify(answer.errors)).toContain(path)
    }
    const unknown = await graphql(node, secretariat, '{ statistics(measures: [ROWS]) { peers { agency } } }')
    expect(codes(unknown)).toEqual(['GRAPHQL_VALIDATION_FAILED'])
  })

  it('answers with this node’s table and an empty peers list', async () => {
    const answer = await graphql<{ statistics: Result }>(node, secretariat, statisticsQuery, {
      measures: ['CASES_OPENED'],
    })
    expect(answer.data?.statistics.peers).toEqual([])
  })

  it('serves the same table as CSV, with the scope stats:read', async () => {
    const response = await node.app.inject({
      method: 'GET',
      url: '/api/v1/statistics.csv?measures=CASES_OPENED&groupBy=CRIME_CATEGORY&groupBy=MONTH',
      headers: { authorization: `Bearer ${secretariat}` },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.body.split('\r\n')).toEqual([
      'row,agency,measure,crimeCategory,month,year,nationality,status,value,suppressed,complete,includesSuppressed',
      'cell,TH-RTP,CASES_OPENED,CYBERCRIME,2026-01,,,,6,false,true,false',
      'cell,TH-RTP,CASES_OPENED,TRAFFICKING_IN_PERSONS,2026-01,,,,7,false,true,false',
      'cell,TH-RTP,CASES_OPENED,TRAFFICKING_IN_PERSONS,2026-02,,,,,true,false,false',
      'total,TH-RTP,CASES_OPENED,,,,,,13,false,false,false',
      '',
    ])
    const bad = await node.app.inject({
      method: 'GET',
      url: '/api/v1/statistics.csv?measures=CASES_OPENED&fromMonth=2026-13',
      headers: { authorization: `Bearer ${secretariat}` },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', path: 'fromMonth' })
    const missing = await node.app.inject({
      method: 'GET',
      url: '/api/v1/statistics.csv',
      headers: { authorization: `Bearer ${secretariat}` },
    })
    expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED' })
    const liaison = await node.app.inject({
      method: 'GET',
      url: '/api/v1/statistics.csv?measures=CASES_OPENED',
      headers: { authorization: `Bearer ${await node.token('liaison')}` },
    })
    expect(liaison.statusCode).toBe(403)
    expect(liaison.json()).toMatchObject({ code: 'FORBIDDEN' })
    const anonymous = await node.app.inject({
      method: 'GET',
      url: '/api/v1/statistics.csv?measures=CASES_OPENED',
    })
    expect(anonymous.statusCode).toBe(401)
  })

  it('gives the secretariat statistics and nothing else: no record, identifier or hit/no-hit', async () => {
    const reads = [
      '{ cases { nodes { id } } }',
      '{ persons(filter: { name: "fixture" }) { nodes { id } } }',
      '{ persons(filter: { identifier: { kind: PHONE, value: "+66812345678" } }) { nodes { id } } }',
      '{ syndicates { nodes { id } } }',
      '{ intelReports { nodes { id } } }',
      '{ record(id: "TH-RTP:00000000-0000-4000-8000-000000000000") { id } }',
      '{ auditEvents { nodes { seq } } }',
      '{ sharingAgreement(with: "VN-MPS") { with } }',
    ]
    for (const query of reads) {
      const answer = await graphql(node, secretariat, query)
      expect(codes(answer), query).toEqual(['FORBIDDEN'])
      expect(JSON.stringify(answer.data ?? null), query).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
    }
    for (const url of ['/api/v1/cases', '/api/v1/persons', '/api/v1/syndicates', '/api/v1/intel-reports']) {
      const response = await node.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${secretariat}` },
      })
      expect(response.statusCode, url).toBe(403)
    }
    // Every statistics answer, whatever the grouping, holds counts only.
    const everything = await graphql(node, secretariat, statisticsQuery, {
      measures: [
        'CASES_OPENED',
        'CASES_CLOSED',
        'SUSPECTS',
        'VICTIMS',
        'PERSONS_AT_RISK',
        'PERSONS_RESCUED',
        'PERSONS_REPATRIATED',
        'ACTIVE_SYNDICATES',
      ],
      groupBy: ['AGENCY', 'CRIME_CATEGORY', 'MONTH', 'YEAR', 'NATIONALITY', 'STATUS'],
    })
    const text = JSON.stringify(everything)
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/)
    expect(text).not.toMatch(/STAT-[CPS]-|Fixture syndicate|Statistics fixture case|SECRET-NOTE-MARKER/)
  })

  it('leaves an audit row for every statistics request, listing no record', async () => {
    const requestId = 'stats-audit-check-0001'
    const response = await node.app.inject({
      method: 'GET',
      url: '/api/v1/statistics.csv?measures=VICTIMS&groupBy=NATIONALITY',
      headers: { authorization: `Bearer ${secretariat}`, 'x-request-id': requestId },
    })
    expect(response.statusCode).toBe(200)
    const audit = await graphql<{ auditEvents: { nodes: { recordIds: string[]; outcome: string }[] } }>(
      node,
      await node.token('admin'),
      'query ($id: String!) { auditEvents(filter: { requestId: $id }) { nodes { recordIds outcome } } }',
      { id: requestId },
    )
    expect(audit.errors).toBeUndefined()
    expect(audit.data?.auditEvents.nodes).toEqual([{ recordIds: [], outcome: 'ALLOWED' }])
  })

  it('has a statistics type that can hold no record, id or identifier', () => {
    const schema = buildJaringSchema()
    const field = schema.getQueryType()?.getFields().statistics
    expect(field).toBeDefined()
    const seen = new Set<string>()
    const walk = (typeName: string) => {
      if (seen.has(typeName)) return
      seen.add(typeName)
      const type = schema.getType(typeName)
      if (!isObjectType(type)) return
      expect(
        type.getInterfaces().map((i) => i.name),
        typeName,
      ).toEqual([])
      for (const child of Object.values(type.getFields())) {
        const named = getNamedType(child.type)
        expect(named.name, `${typeName}.${child.name}`).not.toBe('ID')
        walk(named.name)
      }
    }
    walk(getNamedType(field?.type ?? schema.getQueryType()!).name)
    expect([...seen].sort()).toEqual(
      [
        'AgencyCode',
        'AgencyStatistics',
        'Boolean',
        'CrimeCategory',
        'Int',
        'MergedStatistics',
        'PeerReport',
        'PeerStatus',
        'Statistics',
        'StatisticsCell',
        'StatisticsDimension',
        'StatisticsMeasure',
        'StatisticsTotal',
        'String',
      ].sort(),
    )
  })
})
