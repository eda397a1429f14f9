/**
 * The NDJSON import through the front door: a mixed batch with links by external reference,
 * idempotent re-imports, all-or-nothing rejection (row counts unchanged) with per-line errors,
 * malformed and oversized lines, a large streamed batch with progress in the logs, gzip, and the
 * refusals that come before a byte of the body is read.
 */
import { Readable, Writable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { sql } from 'drizzle-orm'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { queryRows } from '../../support/rows.ts'
import { importNdjson, type Json, ndjson, queryString, rest } from './client.ts'

const tables = [
  'cases',
  'persons',
  'person_names',
  'identifiers',
  'case_persons',
  'syndicates',
  'syndicate_members',
  'syndicate_cases',
  'intel_reports',
  'intel_subjects',
]

function person(externalRef: string, fullName: string, extra: Json = {}) {
  return { type: 'person', record: { externalRef, names: [{ fullName }], ...extra } }
}

function kase(externalRef: string, extra: Json = {}) {
  return {
    type: 'case',
    record: {
      externalRef,
      title: `Case ${externalRef}`,
      crimeCategory: 'TRAFFICKING_IN_PERSONS',
      country: 'TH',
      openedOn: '2025-04-01',
      ...extra,
    },
  }
}

const mixedBatch = [
  person('IMP-P-1', 'Le Thi Hoa', {
    identifiers: [{ kind: 'PHONE', value: '+84 90 111 2233' }],
    nationality: 'VN',
    status: 'TRAPPED',
  }),
  person('IMP-P-2', 'Kyaw Zin', { nationality: 'MM' }),
  kase('IMP-C-1', {
    persons: [
      { personExternalRef: 'IMP-P-1', role: 'VICTIM' },
      { personExternalRef: 'IMP-P-2', role: 'SUSPECT' },
    ],
  }),
  {
    type: 'syndicate',
    record: {
      externalRef: 'IMP-S-1',
      name: 'Jade Gate',
      crimeCategory: 'TRAFFICKING_IN_PERSONS',
      members: [{ personExternalRef: 'IMP-P-2', role: 'LEADER' }],
      caseExternalRefs: ['IMP-C-1'],
    },
  },
  {
    type: 'intelReport',
    record: {
      externalRef: 'IMP-I-1',
      title: 'Recruitment channel',
      body: 'Fake job offers posted in a Facebook group.',
      sourceGrading: 'C',
      informationGrading: 'THREE',
      crimeCategory: 'TRAFFICKING_IN_PERSONS',
      reportedOn: '2025-04-02',
      subjectExternalRefs: [
        { kind: 'CASE', externalRef: 'IMP-C-1' },
        { kind: 'SYNDICATE', externalRef: 'IMP-S-1' },
      ],
    },
  },
]

describe(`NDJSON import on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let system: string
  const logLines: Json[] = []

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(JSON.parse(String(chunk)))
        done()
      },
    })
    node = await buildTestApp({ logger: pino({ level: 'info' }, stream) })
    system = await node.token('system')
  })

  afterAll(async () => {
    await node?.close()
  })

  async function rowCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {}
    for (const table of tables) {
      const [row] = await queryRows<{ count: number }>(
        node.database,
        sql`SELECT count(*)::int AS count FROM ${sql.identifier(table)}`,
      )
      counts[table] = row?.count ?? -1
    }
    return counts
  }

  const get = async (url: string) => (await rest(node, system, 'GET', url)).body

  it('imports a mixed batch, resolving links by external reference to earlier lines', async () => {
    const answer = await importNdjson(node, system, ndjson(mixedBatch))
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body).toEqual({ lines: 5, created: 5, updated: 0, unchanged: 0 })

    const [hoa] = (await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-1' })}`)).nodes
    const [kyaw] = (await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-2' })}`)).nodes
    expect(hoa.identifiers).toMatchObject([{ kind: 'PHONE', normalised: '+84901112233' }])
    const [imported] = (await get(`/api/v1/cases${queryString({ externalRef: 'IMP-C-1' })}`)).nodes
    expect(imported.persons).toEqual(
      expect.arrayContaining([
        { role: 'VICTIM', person: { id: hoa.id } },
        { role: 'SUSPECT', person: { id: kyaw.id } },
      ]),
    )
    const [syndicate] = (await get(`/api/v1/syndicates${queryString({ externalRef: 'IMP-S-1' })}`)).nodes
    expect(syndicate).toMatchObject({
      members: [{ role: 'LEADER', person: { id: kyaw.id } }],
      cases: [{ id: imported.id }],
    })
    const [report] = (await get(`/api/v1/intel-reports${queryString({ externalRef: 'IMP-I-1' })}`)).nodes
    expect(report.subjects).toEqual(
      expect.arrayContaining([
        { kind: 'CASE', id: imported.id },
        { kind: 'SYNDICATE', id: syndicate.id },
      ]),
    )
  })

  it('changes nothing when the same batch comes again, and updates only what differs', async () => {
    const before = await rowCounts()
    const again = await importNdjson(node, system, ndjson(mixedBatch))
    expect(again.body).toEqual({ lines: 5, created: 0, updated: 0, unchanged: 5 })
    expect(await rowCounts()).toEqual(before)

    const [hoaBefore] = (await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-1' })}`)).nodes
    const changed = mixedBatch.map((line) =>
      line.record.externalRef === 'IMP-P-1'
        ? { ...line, record: { ...line.record, status: 'RESCUED' } }
        : line,
    )
    const update = await importNdjson(node, system, ndjson(changed))
    expect(update.body).toEqual({ lines: 5, created: 0, updated: 1, unchanged: 4 })
    const [hoaAfter] = (await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-1' })}`)).nodes
    expect(hoaAfter).toMatchObject({ id: hoaBefore.id, status: 'RESCUED', version: hoaBefore.version + 1 })

    const links = mixedBatch.map((line) =>
      line.record.externalRef === 'IMP-C-1'
        ? { ...line, record: { ...line.record, persons: [{ personId: hoaBefore.id, role: 'VICTIM' }] } }
        : line,
    )
    const relinked = await importNdjson(node, system, ndjson(links))
    expect(relinked.body).toMatchObject({ updated: 2, unchanged: 3 })
  })

  it('writes nothing when one line fails, and reports the line, its code and its path', async () => {
    const before = await rowCounts()
    const [hoaBefore] = (await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-1' })}`)).nodes
    const lines = [
      person('IMP-P-NEW-1', 'New Person One'),
      person('IMP-P-1', 'Le Thi Hoa', { status: 'REPATRIATED' }),
      kase('IMP-C-NEW', { persons: [{ personExternalRef: 'IMP-P-NEW-1', role: 'WITNESS' }] }),
      kase('IMP-C-BAD', { crimeCategory: 'JAYWALKING' }),
      person('IMP-P-NEW-2', 'New Person Two'),
    ]
    const answer = await importNdjson(node, system, ndjson(lines))
    expect(answer.status).toBe(422)
    expect(answer.body).toMatchObject({
      code: 'IMPORT_FAILED',
      lines: 5,
      errorCount: 1,
      errors: [{ line: 4, code: 'VALIDATION_FAILED', path: 'record.crimeCategory' }],
      requestId: answer.headers['x-request-id'],
    })
    expect(await rowCounts()).toEqual(before)
    expect((await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-NEW-1' })}`)).nodes).toEqual([])
    const [hoa] = (await get(`/api/v1/persons${queryString({ externalRef: 'IMP-P-1' })}`)).nodes
    expect(hoa).toEqual(hoaBefore)
  })

  it('reports every failed line: malformed JSON, bad envelopes, unknown fields, duplicates and broken links', async () => {
    const before = await rowCounts()
    const body = [
      JSON.stringify(person('IMP-P-A', 'Alpha Person')),
      '{"type": "person", "record": {',
      '',
      JSON.stringify({ type: 'vehicle', record: {} }),
      JSON.stringify({
        type: 'person',
        record: { externalRef: 'IMP-P-B', names: [{ fullName: 'B' }] },
        extra: 1,
      }),
      JSON.stringify(person('IMP-P-C', 'Charlie', { nickname: 'C' })),
      JSON.stringify(person('IMP-P-A', 'Alpha Again')),
      JSON.stringify(kase('IMP-C-X', { persons: [{ personExternalRef: 'IMP-P-C', role: 'VICTIM' }] })),
      JSON.stringify(kase('IMP-C-Y', { persons: [{ personExternalRef: 'NOBODY', role: 'VICTIM' }] })),
      JSON.stringify(
        kase('IMP-C-Z', {
          persons: [{ personExternalRef: 'IMP-P-A', personId: 'TH-RTP:x', role: 'VICTIM' }],
        }),
      ),
      JSON.stringify(person('IMP-P-D', 'Delta', { identifiers: [{ kind: 'PHONE', value: '12' }] })),
      'not json at all',
    ].join('\n')
    const answer = await importNdjson(node, system, body)
    expect(answer.status).toBe(422)
    const errors = answer.body.errors.map(({ line, code, path }: Json) => ({
      line,
      code,
      ...(path ? { path } : {}),
    }))
    expect(errors).toEqual([
      { line: 2, code: 'BAD_REQUEST' },
      { line: 4, code: 'VALIDATION_FAILED', path: 'type' },
      { line: 5, code: 'VALIDATION_FAILED', path: 'extra' },
      { line: 6, code: 'VALIDATION_FAILED', path: 'record.nickname' },
      { line: 7, code: 'DUPLICATE_EXTERNAL_REF', path: 'record.externalRef' },
      { line: 8, code: 'NOT_FOUND', path: 'record.persons[0].personExternalRef' },
      { line: 9, code: 'NOT_FOUND', path: 'record.persons[0].personExternalRef' },
      { line: 10, code: 'VALIDATION_FAILED', path: 'record.persons[0]' },
      { line: 11, code: 'INVALID_IDENTIFIER', path: 'record.identifiers[0].value' },
      { line: 12, code: 'BAD_REQUEST' },
    ])
    expect(answer.body.errors[5].message).toContain('Line 6')
    expect(answer.body.errors[4].message).toContain('Line 1')
    expect(answer.body).toMatchObject({ lines: 11, errorCount: 10 })
    expect(await rowCounts()).toEqual(before)
  })

  it('caps the list of line errors but counts them all', async () => {
    const lines = Array.from({ length: 150 }, () => '{oops')
    const answer = await importNdjson(node, system, `${lines.join('\n')}\n`)
    expect(answer.status).toBe(422)
    expect(answer.body.errorCount).toBe(150)
    expect(answer.body.errors).toHaveLength(100)
    expect(answer.body.errors.at(-1).line).toBe(100)
  })

  // 5,000 upserts, one by one in one transaction: about 17 s on PGlite on an idle machine.
  it('streams a large batch, logging its progress with the request id', async () => {
    const count = 5_000
    const chunks = (function* () {
      for (let start = 0; start < count; start += 250) {
        const lines: string[] = []
        for (let index = start; index < start + 250; index++) {
          lines.push(JSON.stringify(person(`BULK-${index}`, `Bulk Person ${index}`, { nationality: 'KH' })))
        }
        yield `${lines.join('\n')}\n`
      }
    })()
    const response = await node.app.inject({
      method: 'POST',
      url: '/api/v1/import',
      headers: {
        authorization: `Bearer ${system}`,
        'content-type': 'application/x-ndjson',
        'x-request-id': 'bulk-import-0001',
      },
      payload: Readable.from(chunks),
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({ lines: count, created: count, updated: 0, unchanged: 0 })
    const progress = logLines.filter(
      (line) => line.msg === 'import progress' && line.requestId === 'bulk-import-0001',
    )
    expect(progress.length).toBeGreaterThanOrEqual(count / 1_000)
    expect(progress.at(-1)).toMatchObject({ lines: count, created: count })
    expect(
      logLines.some((line) => line.msg === 'import committed' && line.requestId === 'bulk-import-0001'),
    ).toBe(true)
    const listed = await get('/api/v1/persons?nationalities=KH&first=100')
    expect(listed.nodes).toHaveLength(100)
    expect(listed.pageInfo.hasNextPage).toBe(true)
  }, 90_000)

  it('takes a gzip-compressed body', async () => {
    const body = gzipSync(ndjson([person('IMP-GZ-1', 'Zipped Person')]))
    const answer = await importNdjson(node, system, body, { 'content-encoding': 'gzip' })
    expect(answer.body).toEqual({ lines: 1, created: 1, updated: 0, unchanged: 0 })
  })

  it('refuses what is not NDJSON, an empty body, and an unknown encoding, before reading it', async () => {
    const json = await node.app.inject({
      method: 'POST',
      url: '/api/v1/import',
      headers: { authorization: `Bearer ${system}`, 'content-type': 'application/json' },
      payload: JSON.stringify(mixedBatch),
    })
    expect(json.statusCode).toBe(415)
    expect(json.json().code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const empty = await importNdjson(node, system, '\n\n')
    expect(empty.status).toBe(400)
    expect(empty.body.code).toBe('BAD_REQUEST')
    const brotli = await importNdjson(node, system, ndjson(mixedBatch), { 'content-encoding': 'br' })
    expect(brotli.status).toBe(415)
  })
})

describe(`NDJSON import limits on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let system: string

  beforeAll(async () => {
    node = await buildTestApp({ config: { http: { bodyLimitBytes: 1_024, importBodyLimitBytes: 8_192 } } })
    system = await node.token('system')
  })

  afterAll(async () => {
    await node?.close()
  })

  it('reports a line over the line cap, and rejects a body over the import cap', async () => {
    const long = JSON.stringify(person('LIMIT-1', 'L'.repeat(300), { notes: 'n'.repeat(2_000) }))
    const answer = await importNdjson(
      node,
      system,
      `${JSON.stringify(person('LIMIT-0', 'Small'))}\n${long}\n`,
    )
    expect(answer.status).toBe(422)
    expect(answer.body.errors).toEqual([expect.objectContaining({ line: 2, code: 'PAYLOAD_TOO_LARGE' })])

    const declared = await importNdjson(node, system, 'x'.repeat(9_000))
    expect(declared.status).toBe(413)
    expect(declared.body.code).toBe('PAYLOAD_TOO_LARGE')

    const lines = Array.from({ length: 100 }, (_, index) =>
      JSON.stringify(person(`LIMIT-S-${index}`, 'Streamed')),
    )
    const streamed = await node.app.inject({
      method: 'POST',
      url: '/api/v1/import',
      headers: { authorization: `Bearer ${system}`, 'content-type': 'application/x-ndjson' },
      payload: Readable.from(lines.map((line) => `${line}\n`)),
    })
    expect(streamed.statusCode).toBe(413)
    expect(streamed.json().code).toBe('PAYLOAD_TOO_LARGE')
    const stored = await rest(node, system, 'GET', '/api/v1/persons?first=100')
    expect(stored.body.nodes).toEqual([])
  })
})

describe(`NDJSON import past its time on ${testDatabaseLabel()}`, () => {
  let node: TestApp

  beforeAll(async () => {
    node = await buildTestApp({ config: { http: { importTimeoutMs: 1 } } })
  })

  afterAll(async () => {
    await node?.close()
  })

  it('answers TIMEOUT and rolls the batch back', async () => {
    const system = await node.token('system')
    const lines = Array.from({ length: 200 }, (_, index) => person(`SLOW-${index}`, `Slow Person ${index}`))
    const answer = await importNdjson(node, system, ndjson(lines))
    expect(answer.status).toBe(504)
    expect(answer.body.code).toBe('TIMEOUT')
    // A query waits for the batch's transaction (PGlite) or cannot see it (PostgreSQL); either way
    // the batch has ended by the second one, and nothing of it may remain.
    for (let check = 0; check < 2; check++) {
      const [row] = await queryRows<{ count: number }>(
        node.database,
        sql`SELECT count(*)::int AS count FROM persons`,
      )
      expect(row?.count).toBe(0)
    }
  })
})
