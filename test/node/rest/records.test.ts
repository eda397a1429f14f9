/**
 * The REST record routes through the front door: create, get, list and update for every record
 * type, idempotent creates, optimistic concurrency, and the refusal of bad input (unknown fields,
 * wrong types, oversized strings, malformed ids) with the field at fault named in `path`.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { type Json, queryString, rest } from './client.ts'

describe(`REST records on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let system: string
  let liaison: string

  beforeAll(async () => {
    node = await buildTestApp()
    system = await node.token('system')
    liaison = await node.token('liaison')
  })

  afterAll(async () => {
    await node?.close()
  })

  const post = (path: string, body: unknown, token = system) =>
    rest(node, token, 'POST', `/api/v1/${path}`, body)
  const get = (url: string, token = system) => rest(node, token, 'GET', url)
  const patch = (url: string, body: unknown, token = system) => rest(node, token, 'PATCH', url, body)

  async function created(path: string, body: unknown): Promise<Json> {
    const answer = await post(path, body)
    expect(answer.status, JSON.stringify(answer.body)).toBe(201)
    return answer.body
  }

  /** The whole life of one record: create, idempotent repeat, conflicting repeat, get, list, update, stale update. */
  async function lifeCycle(path: string, input: Json, change: Json): Promise<Json> {
    const first = await post(path, input)
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.body).toMatchObject({
      externalRef: input.externalRef,
      version: 1,
      source: { agency: 'TH-RTP' },
    })
    expect(first.headers.location).toBe(`/api/v1/${path}/${first.body.id}`)

    const again = await post(path, input)
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)

    const differing = await post(path, { ...input, handlingCode: 'H5' })
    expect(differing.status).toBe(409)
    expect(differing.body).toMatchObject({ code: 'DUPLICATE_EXTERNAL_REF', path: 'externalRef' })

    const fetched = await get(`/api/v1/${path}/${first.body.id}`)
    expect(fetched.status).toBe(200)
    expect(fetched.body).toEqual(first.body)

    const listed = await get(`/api/v1/${path}${queryString({ externalRef: input.externalRef })}`)
    expect(listed.status).toBe(200)
    expect(listed.body).toEqual({
      nodes: [first.body],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      peers: [],
    })

    const updated = await patch(`/api/v1/${path}/${first.body.id}`, { version: 1, ...change })
    expect(updated.status, JSON.stringify(updated.body)).toBe(200)
    expect(updated.body).toMatchObject({ id: first.body.id, version: 2, ...change })
    expect(Date.parse(updated.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.body.updatedAt))

    const stale = await patch(`/api/v1/${path}/${first.body.id}`, { version: 1, ...change })
    expect(stale.status).toBe(409)
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', path: 'version', currentVersion: 2 })
    expect(stale.body.requestId).toBe(stale.headers['x-request-id'])
    return updated.body
  }

  it('creates, reads, lists and updates persons, cases, syndicates and intelligence reports', async () => {
    const person = await lifeCycle(
      'persons',
      {
        externalRef: 'REST-P-1',
        names: [{ fullName: 'Nguyễn Thị Mai' }, { kind: 'ALIAS', fullName: 'Mai Nguyen' }],
        identifiers: [{ kind: 'PHONE', value: '+84 91 234 5678' }],
        dateOfBirth: '1999-04',
        nationality: 'VN',
        status: 'TRAPPED',
      },
      { status: 'RESCUED', statusChangedOn: '2026-01-15' },
    )
    expect(person).toMatchObject({
      names: [
        { kind: 'PRIMARY', fullName: 'Nguyễn Thị Mai', script: 'Latn', romanised: null },
        { kind: 'ALIAS', fullName: 'Mai Nguyen', script: 'Latn', romanised: null },
      ],
      primaryName: { kind: 'PRIMARY', fullName: 'Nguyễn Thị Mai' },
      identifiers: [{ kind: 'PHONE', value: '+84 91 234 5678', normalised: '+84912345678', tlp: 'AMBER' }],
      dateOfBirth: '1999-04',
      dateOfBirthPrecision: 'MONTH',
      gender: 'UNKNOWN',
      notes: '',
    })

    const kase = await lifeCycle(
      'cases',
      {
        externalRef: 'REST-C-1',
        title: 'Call-centre compound',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        country: 'KH',
        openedOn: '2025-06-01',
        persons: [{ personId: person.id, role: 'VICTIM' }],
      },
      { status: 'CLOSED', closedOn: '2025-12-01' },
    )
    expect(kase).toMatchObject({
      tlp: 'AMBER',
      handlingCode: 'H3',
      summary: '',
      location: null,
      persons: [{ role: 'VICTIM', person: { id: person.id } }],
    })

    const syndicate = await lifeCycle(
      'syndicates',
      {
        externalRef: 'REST-S-1',
        name: 'Blue Lotus',
        crimeCategory: 'CYBERCRIME',
        countries: ['KH', 'MM'],
        members: [{ personId: person.id, role: 'MONEY_MULE' }],
        caseIds: [kase.id],
      },
      { status: 'DISRUPTED', aliases: ['Lien Hoa'] },
    )
    expect(syndicate).toMatchObject({
      members: [{ role: 'MONEY_MULE', person: { id: person.id } }],
      cases: [{ id: kase.id }],
    })

    const report = await lifeCycle(
      'intel-reports',
      {
        externalRef: 'REST-I-1',
        title: 'Payment routes',
        body: 'Proceeds move through mule accounts.',
        sourceGrading: 'B',
        informationGrading: 'TWO',
        crimeCategory: 'MONEY_LAUNDERING',
        reportedOn: '2025-07-01',
        subjectIds: [syndicate.id, person.id],
      },
      { informationGrading: 'ONE' },
    )
    expect(report.subjects).toEqual(
      expect.arrayContaining([
        { kind: 'SYNDICATE', id: syndicate.id },
        { kind: 'PERSON', id: person.id },
      ]),
    )
  })

  it('clears a field with null and replaces a list when one is given', async () => {
    const kase = await created('cases', {
      externalRef: 'REST-C-CLEAR',
      title: 'Located',
      crimeCategory: 'CYBERCRIME',
      country: 'TH',
      location: 'Bangkok',
      openedOn: '2025-01-01',
    })
    const cleared = await patch(`/api/v1/cases/${kase.id}`, { version: 1, location: null })
    expect(cleared.body).toMatchObject({ location: null, title: 'Located', version: 2 })
    const refused = await patch(`/api/v1/cases/${kase.id}`, { version: 2, title: null })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', path: 'title' })
  })

  it('answers NOT_FOUND for a missing or foreign record and INVALID_GLOBAL_ID for a malformed id', async () => {
    const missing = await get(`/api/v1/cases/TH-RTP:${randomUUID()}`)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND', path: 'id' })
    const foreign = await get(`/api/v1/persons/VN-MPS:${randomUUID()}`)
    expect(foreign.status).toBe(404)
    const malformed = await get('/api/v1/syndicates/not-an-id')
    expect(malformed.status).toBe(400)
    expect(malformed.body).toMatchObject({ code: 'INVALID_GLOBAL_ID', path: 'id' })
    const foreignWrite = await patch(`/api/v1/cases/VN-MPS:${randomUUID()}`, { version: 1, title: 'x' })
    expect(foreignWrite.status).toBe(400)
    expect(foreignWrite.body).toMatchObject({ code: 'FOREIGN_RECORD', path: 'id' })
  })

  it('hides records above the reader’s clearance', async () => {
    const red = await created('intel-reports', {
      externalRef: 'REST-I-RED',
      tlp: 'RED',
      title: 'Protected',
      body: 'Source-protected.',
      sourceGrading: 'A',
      informationGrading: 'ONE',
      crimeCategory: 'TERRORISM',
      reportedOn: '2025-01-01',
    })
    expect((await get(`/api/v1/intel-reports/${red.id}`, liaison)).status).toBe(404)
    const listed = await get('/api/v1/intel-reports?tlp=RED', liaison)
    expect(listed.body.nodes).toEqual([])
    expect((await get(`/api/v1/intel-reports/${red.id}`)).status).toBe(200)
  })

  describe('bad input', () => {
    const validCase = {
      externalRef: 'REST-C-BAD',
      title: 'Valid',
      crimeCategory: 'CYBERCRIME',
      country: 'TH',
      openedOn: '2025-01-01',
    }

    async function refused(
      answer: Promise<Awaited<ReturnType<typeof rest>>>,
      path: string,
      code = 'VALIDATION_FAILED',
    ) {
      const { status, body } = await answer
      expect(body, JSON.stringify(body)).toMatchObject({ code, path })
      expect(status).toBe(400)
      expect(typeof body.requestId).toBe('string')
    }

    it('refuses unknown properties, naming them, at any depth and in the query string', async () => {
      await refused(post('cases', { ...validCase, secret: true }), 'secret')
      await refused(
        post('cases', {
          ...validCase,
          persons: [{ personId: `TH-RTP:${randomUUID()}`, role: 'VICTIM', extra: 1 }],
        }),
        'persons[0].extra',
      )
      await refused(
        post('persons', { externalRef: 'X', names: [{ fullName: 'A B', nickname: 'C' }] }),
        'names[0].nickname',
      )
      await refused(patch(`/api/v1/cases/TH-RTP:${randomUUID()}`, { version: 1, id: 'TH-RTP:x' }), 'id')
      await refused(get('/api/v1/cases?status=OPEN'), 'status')
      await refused(get('/api/v1/persons?identifier=PHONE'), 'identifier')
      const { body } = await post('cases', { ...validCase, __proto__x: 1 })
      expect(body.message).toContain('__proto__x')
    })

    it('refuses wrong types without coercing them', async () => {
      await refused(post('cases', { ...validCase, title: 123 }), 'title')
      await refused(post('cases', { ...validCase, persons: 'TH-RTP:x' }), 'persons')
      await refused(
        post('persons', { externalRef: 'X', names: [{ fullName: 'A' }], dateOfBirthApproximate: 'yes' }),
        'dateOfBirthApproximate',
      )
      await refused(patch(`/api/v1/cases/TH-RTP:${randomUUID()}`, { version: '1' }), 'version')
      await refused(post('cases', { ...validCase, crimeCategory: 'JAYWALKING' }), 'crimeCategory')
      await refused(post('cases', { ...validCase, openedOn: '2025-02-30' }), 'openedOn')
      await refused(post('cases', { ...validCase, country: 'tha' }), 'country')
      await refused(post('cases', { title: 'No reference' }), 'externalRef')
      await refused(get('/api/v1/cases?first=ten'), 'first')
      await refused(get('/api/v1/cases?statuses=OPEN,NOPE'), 'statuses[1]')
      await refused(get('/api/v1/intel-reports?reportedFrom=yesterday'), 'reportedFrom')
      const array = await rest(node, system, 'POST', '/api/v1/cases', [validCase])
      expect(array.status).toBe(400)
      expect(array.body.code).toBe('VALIDATION_FAILED')
    })

    it('refuses oversized strings and lists', async () => {
      await refused(post('cases', { ...validCase, title: 'x'.repeat(501) }), 'title')
      await refused(post('cases', { ...validCase, externalRef: 'r'.repeat(201) }), 'externalRef')
      await refused(post('cases', { ...validCase, summary: 's'.repeat(100_001) }), 'summary')
      await refused(
        post('persons', {
          externalRef: 'X',
          names: [{ fullName: 'A' }],
          identifiers: [{ kind: 'EMAIL', value: `${'a'.repeat(200)}@x.org` }],
        }),
        'identifiers[0].value',
      )
      await refused(
        post('persons', {
          externalRef: 'X',
          names: Array.from({ length: 51 }, (_, i) => ({ kind: 'ALIAS', fullName: `N ${i}` })),
        }),
        'names',
      )
      await refused(get(`/api/v1/persons?name=${'n'.repeat(1001)}`), 'name')
    })

    it('refuses a malformed, oversized or non-JSON body with its own code', async () => {
      const malformed = await node.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { authorization: `Bearer ${system}`, 'content-type': 'application/json' },
        payload: '{"externalRef": ',
      })
      expect(malformed.statusCode).toBe(400)
      expect(malformed.json().code).toBe('BAD_REQUEST')
      const huge = await post('cases', { ...validCase, summary: 's'.repeat(1_100_000) })
      expect(huge.status).toBe(413)
      expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE')
      const ndjson = await node.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { authorization: `Bearer ${system}`, 'content-type': 'application/x-ndjson' },
        payload: `${JSON.stringify(validCase)}\n`,
      })
      expect(ndjson.statusCode).toBe(415)
      expect(ndjson.json().code).toBe('UNSUPPORTED_MEDIA_TYPE')
    })

    it('treats filter values as literals and reports repository checks at the parameter', async () => {
      const hostile = await get(`/api/v1/cases${queryString({ text: "%' OR 1=1 --", externalRef: '%' })}`)
      expect(hostile.status).toBe(200)
      expect(hostile.body.nodes).toEqual([])
      await refused(get('/api/v1/persons?phone=12'), 'phone', 'INVALID_IDENTIFIER')
      await refused(
        get('/api/v1/persons?identifierKind=PASSPORT&identifierValue=%3F%3F'),
        'identifierValue',
        'INVALID_IDENTIFIER',
      )
      await refused(get('/api/v1/cases?after=bm90LWEtY3Vyc29y'), 'after', 'INVALID_CURSOR')
      await refused(get('/api/v1/cases?first=0'), 'first')
      await refused(get('/api/v1/cases?first=101'), 'first', 'PAGE_TOO_LARGE')
    })
  })

  it('takes list parameters repeated or comma-separated, and pages with first and after', async () => {
    for (const [index, status] of ['OPEN', 'REFERRED', 'CLOSED', 'REFERRED', 'OPEN'].entries()) {
      await created('cases', {
        externalRef: `REST-PAGE-${index}`,
        title: `Paged ${index}`,
        crimeCategory: 'SEA_PIRACY',
        status,
        country: 'ID',
        openedOn: `2024-0${index + 1}-01`,
      })
    }
    const repeated = await get('/api/v1/cases?crimeCategories=SEA_PIRACY&statuses=OPEN&statuses=REFERRED')
    const commas = await get('/api/v1/cases?crimeCategories=SEA_PIRACY&statuses=OPEN,REFERRED')
    expect(repeated.body.nodes.map((n: Json) => n.externalRef)).toEqual([
      'REST-PAGE-4',
      'REST-PAGE-3',
      'REST-PAGE-1',
      'REST-PAGE-0',
    ])
    expect(commas.body).toEqual(repeated.body)

    const seen: string[] = []
    let after: string | undefined
    for (let page = 0; page < 5; page++) {
      const answer = await get(
        `/api/v1/cases${queryString({ crimeCategories: 'SEA_PIRACY', first: 2, after })}`,
      )
      seen.push(...answer.body.nodes.map((n: Json) => n.externalRef))
      if (!answer.body.pageInfo.hasNextPage) break
      after = answer.body.pageInfo.endCursor
    }
    expect(seen).toEqual(['REST-PAGE-4', 'REST-PAGE-3', 'REST-PAGE-2', 'REST-PAGE-1', 'REST-PAGE-0'])
  })
})
