/**
 * The policy enforced through the front door: the demo policy of TH-RTP, real records, and GraphQL
 * requests answered as another agency would be answered (see peer-app.ts). Row filters decide
 * which records come back, field rules what of them; withheld values are absent from the response
 * bytes and reported in `extensions.withheld`.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../../services/node/auth/principal.ts'
import { demoPolicyText } from './documents.ts'
import { buildPeerViewApp, type PeerRequest, type PeerViewApp, peerPrincipal } from './peer-app.ts'

const secrets = {
  notes: 'Sister paid ransom via USDT wallet KX77',
  dateOfBirth: '1998-07-21',
  nationalIdDigits: '1103702345679',
  nationalIdTyped: '1-1037-02345-67-9',
  reportBody: 'Informant K-12 inside the compound reports forty new arrivals',
  redName: 'Redacted Witness Pornthip',
}

const loader: Principal = {
  kind: 'system',
  agency: 'TH-RTP',
  subject: 'rtp-case-system',
  roles: ['system'],
  scopes: new Set([
    'cases:read',
    'cases:write',
    'persons:read',
    'persons:write',
    'syndicates:write',
    'intel:write',
  ]),
  clearance: 'RED',
  tokenId: 'loader',
}

async function storeRecords(node: PeerViewApp) {
  const records = node.app.records
  const access = records.access(loader)
  const atRisk = await records.persons.create(access, {
    externalRef: 'RTP-P-1',
    tlp: 'AMBER',
    handlingCode: 'H2',
    names: [{ kind: 'PRIMARY', fullName: 'Chan Mei Ling', script: 'Latn' }],
    dateOfBirth: secrets.dateOfBirth,
    nationality: 'HK',
    status: 'TRAPPED',
    lastKnownCountry: 'MM',
    notes: secrets.notes,
    identifiers: [
      { kind: 'PHONE', value: '+852 9123 4567' },
      { kind: 'NATIONAL_ID', value: secrets.nationalIdTyped, issuingCountry: 'TH' },
    ],
  })
  const suspect = await records.persons.create(access, {
    externalRef: 'RTP-P-2',
    tlp: 'AMBER',
    handlingCode: 'H3',
    names: [{ kind: 'PRIMARY', fullName: 'Recruiter Ken', script: 'Latn' }],
  })
  const secretWitness = await records.persons.create(access, {
    externalRef: 'RTP-P-3',
    tlp: 'RED',
    handlingCode: 'H2',
    names: [{ kind: 'PRIMARY', fullName: secrets.redName, script: 'Latn' }],
  })
  const trafficking = await records.cases.create(access, {
    externalRef: 'RTP-C-1',
    title: 'Fake job offers to a compound in Myawaddy',
    summary: 'Recruitment through social media',
    crimeCategory: 'TRAFFICKING_IN_PERSONS',
    country: 'TH',
    openedOn: '2026-02-10',
    tlp: 'AMBER',
    handlingCode: 'H2',
    persons: [
      { personId: atRisk.id, role: 'PERSON_AT_RISK' },
      { personId: suspect.id, role: 'SUSPECT' },
      { personId: secretWitness.id, role: 'PERSON_AT_RISK' },
    ],
  })
  await records.cases.create(access, {
    externalRef: 'RTP-C-2',
    title: 'Methamphetamine shipment',
    crimeCategory: 'ILLICIT_DRUG_TRAFFICKING',
    country: 'TH',
    openedOn: '2026-03-01',
    tlp: 'GREEN',
    handlingCode: 'H1',
  })
  await records.intelReports.create(access, {
    externalRef: 'RTP-I-1',
    title: 'New arrivals at the compound',
    body: secrets.reportBody,
    sourceGrading: 'B',
    informationGrading: 'TWO',
    crimeCategory: 'TRAFFICKING_IN_PERSONS',
    reportedOn: '2026-03-05',
    tlp: 'GREEN',
    subjectIds: [trafficking.id],
  })
  return { atRisk, suspect, secretWitness, trafficking }
}

// biome-ignore lint/suspicious/noExplicitAny: the assertions check the shape of GraphQL answers, not the type checker
type Answered = any

interface Answer {
  status: number
  body: string
  json: {
    data?: Record<string, Answered>
    errors?: { extensions?: { code?: string }; path?: unknown }[]
    extensions?: { withheld?: { path: string; rule: string; agreementId: string | null; rulePath: string }[] }
  }
}

const personFields = `id externalRef tlp names { fullName } primaryName { fullName } dateOfBirth dateOfBirthPrecision
  nationality lastKnownCountry notes status
  identifiers { kind value normalised issuingCountry }
  cases { role case { id title summary crimeCategory } }`

describe('the data-sharing policy at the front door', () => {
  let node: PeerViewApp
  let ids: Awaited<ReturnType<typeof storeRecords>>
  let liaisonToken: string
  let adminToken: string

  beforeAll(async () => {
    node = await buildPeerViewApp(demoPolicyText('TH-RTP'))
    node.app.policyStore.useTrustRoles(() => ({
      'HK-HKPF': 'partner',
      // A partner with no agreement of its own: only the `partner` group's agreements reach it.
      'MO-PJ': 'partner',
      'VN-MPS': 'member',
      'XX-SOMTC': 'secretariat',
    }))
    ids = await storeRecords(node)
    liaisonToken = await node.token('liaison')
    adminToken = await node.token('admin')
  })

  afterAll(async () => {
    await node?.close()
  })

  async function ask(
    query: string,
    options: { peer?: PeerRequest; token?: string; variables?: object } = {},
  ) {
    const response = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        authorization: `Bearer ${options.token ?? liaisonToken}`,
        'content-type': 'application/json',
        ...(options.peer ? { 'x-test-peer': JSON.stringify(options.peer) } : {}),
      },
      payload: { query, variables: options.variables ?? {} },
    })
    return { status: response.statusCode, body: response.body, json: response.json() } as Answer
  }

  const persons = (peer?: PeerRequest) =>
    ask(`{ persons(first: 10) { nodes { ${personFields} } } }`, peer ? { peer } : {})

  it('gives the node’s own officers every record up to their clearance, every field, nothing withheld', async () => {
    const { json } = await persons()
    const refs = json.data?.persons.nodes.map((person: { externalRef: string }) => person.externalRef).sort()
    expect(refs).toEqual(['RTP-P-1', 'RTP-P-2'])
    const atRisk = json.data?.persons.nodes.find(
      (person: { externalRef: string }) => person.externalRef === 'RTP-P-1',
    )
    expect(atRisk).toMatchObject({
      notes: secrets.notes,
      dateOfBirth: secrets.dateOfBirth,
      dateOfBirthPrecision: 'DAY',
    })
    expect(json.extensions?.withheld).toBeUndefined()
  })

  it('shows Viet Nam investigating the MoU’s records: year of birth only, national ids masked, no notes', async () => {
    const answer = await persons({ agency: 'VN-MPS', purpose: 'INVESTIGATION' })
    const nodes = answer.json.data?.persons.nodes as Record<string, Answered>[]
    expect(nodes.map((person) => person.externalRef).sort()).toEqual(['RTP-P-1', 'RTP-P-2'])
    const atRisk = nodes.find((person) => person.externalRef === 'RTP-P-1')!
    expect(atRisk).toMatchObject({
      dateOfBirth: '1998',
      dateOfBirthPrecision: 'YEAR',
      notes: null,
      names: [{ fullName: 'Chan Mei Ling' }],
      nationality: 'HK',
    })
    expect(atRisk.identifiers).toEqual([
      { kind: 'NATIONAL_ID', value: '•••••7-9', normalised: '•••••679', issuingCountry: 'TH' },
      { kind: 'PHONE', value: '+852 9123 4567', normalised: '+85291234567', issuingCountry: 'HK' },
    ])
    expect(atRisk.cases).toEqual([
      {
        role: 'PERSON_AT_RISK',
        case: {
          id: ids.trafficking.id,
          title: 'Fake job offers to a compound in Myawaddy',
          summary: 'Recruitment through social media',
          crimeCategory: 'TRAFFICKING_IN_PERSONS',
        },
      },
    ])
    for (const secret of [
      secrets.notes,
      secrets.dateOfBirth,
      secrets.nationalIdDigits,
      secrets.nationalIdTyped,
      '1998-07',
    ]) {
      expect(answer.body).not.toContain(secret)
    }
    const index = nodes.indexOf(atRisk)
    expect(answer.json.extensions?.withheld).toEqual(
      expect.arrayContaining([
        {
          path: `persons.nodes[${index}].dateOfBirth`,
          rule: 'generaliseYear',
          agreementId: 'th-vn-investigation-mou',
          rulePath: 'resources.persons.fields.dateOfBirth',
        },
        {
          path: `persons.nodes[${index}].notes`,
          rule: 'omit',
          agreementId: 'th-vn-investigation-mou',
          rulePath: 'resources.persons.fields.notes',
        },
        {
          path: `persons.nodes[${index}].identifiers[0].value`,
          rule: 'mask',
          agreementId: 'th-vn-investigation-mou',
          rulePath: 'resources.identifiers.kinds.NATIONAL_ID',
        },
      ]),
    )
    expect(JSON.stringify(answer.json.extensions)).not.toContain(secrets.notes)
  })

  it('shows Hong Kong asking to rescue only the person at risk and the numbers to reach her', async () => {
    const answer = await persons({ agency: 'HK-HKPF', purpose: 'RESCUE' })
    const nodes = answer.json.data?.persons.nodes as Record<string, Answered>[]
    expect(nodes.map((person) => person.externalRef)).toEqual(['RTP-P-1'])
    expect(nodes[0]).toMatchObject({ dateOfBirth: secrets.dateOfBirth, notes: null, lastKnownCountry: 'MM' })
    expect(nodes[0]!.identifiers).toEqual([
      { kind: 'PHONE', value: '+852 9123 4567', normalised: '+85291234567', issuingCountry: 'HK' },
    ])
    // The rescue agreement shares no cases: the person's case links are empty.
    expect(nodes[0]!.cases).toEqual([])
    expect(answer.body).not.toContain(secrets.nationalIdDigits)
    expect(answer.body).not.toContain('Recruiter Ken')
    const cases = await ask('{ cases { nodes { id } } }', { peer: { agency: 'HK-HKPF', purpose: 'RESCUE' } })
    expect(cases.json.data?.cases.nodes).toEqual([])
  })

  it('keeps records above the asking officer’s clearance even when the agreement reaches them', async () => {
    const answer = await persons({ agency: 'HK-HKPF', purpose: 'RESCUE', clearance: 'GREEN' })
    expect(answer.json.data?.persons.nodes).toEqual([])
  })

  it('gives Hong Kong investigating the suspect only: names and phone, no notes, no person at risk', async () => {
    const answer = await persons({ agency: 'HK-HKPF', purpose: 'INVESTIGATION' })
    const nodes = answer.json.data?.persons.nodes as {
      externalRef: string
      notes: string | null
      names: { fullName: string }[]
      cases: unknown[]
    }[]
    expect(nodes.map((person) => person.externalRef)).toEqual(['RTP-P-2'])
    expect(nodes[0]?.names.length).toBeGreaterThan(0)
    expect(nodes[0]?.notes).toBeNull()
    // No case is shared with Hong Kong: the suspect comes without the case it belongs to.
    expect(nodes[0]?.cases).toEqual([])
  })

  it('answers a partner investigating with no record (hit/no-hit only), and anyone without an agreement with nothing', async () => {
    for (const peer of [
      { agency: 'MO-PJ', purpose: 'INVESTIGATION' },
      { agency: 'SG-SPF', purpose: 'INVESTIGATION' },
      { agency: 'VN-MPS', purpose: 'RESCUE' },
      { agency: 'VN-MPS' },
    ]) {
      const answer = await persons(peer)
      expect(answer.json.data?.persons.nodes, JSON.stringify(peer)).toEqual([])
      const record = await ask('query ($id: ID!) { record(id: $id) { id } }', {
        peer,
        variables: { id: ids.atRisk.id },
      })
      expect(record.json.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
    }
  })

  it('filters intelligence reports and cases by the MoU’s categories and withholds report bodies', async () => {
    const peer = { agency: 'VN-MPS', purpose: 'INTELLIGENCE_ANALYSIS' }
    const cases = await ask('{ cases { nodes { externalRef intelReports { title body } } } }', { peer })
    expect(cases.json.data?.cases.nodes).toEqual([
      { externalRef: 'RTP-C-1', intelReports: [{ title: 'New arrivals at the compound', body: null }] },
    ])
    expect(cases.body).not.toContain(secrets.reportBody)
    expect(cases.json.extensions?.withheld).toEqual([
      {
        path: 'cases.nodes[0].intelReports[0].body',
        rule: 'omit',
        agreementId: 'th-vn-investigation-mou',
        rulePath: 'resources.intelReports.fields.body',
      },
    ])
  })

  it('refuses a filter on a field the policy withholds, so the filter cannot reveal it', async () => {
    const answer = await ask('{ cases(filter: { text: "compound" }) { nodes { id } } }', {
      peer: { agency: 'HK-HKPF', purpose: 'RESCUE' },
    })
    expect(answer.json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    expect(answer.body).toContain('withholds title')
  })

  it('takes a reloaded policy into force for the next request', async () => {
    const original = await readFile(node.policyFile, 'utf8')
    try {
      await writeFile(
        node.policyFile,
        original
          .replace('version: 4', 'version: 5')
          .replace('personRoles: [PERSON_AT_RISK]', 'personRoles: [SUSPECT]'),
      )
      expect((await node.app.policyStore.reload()).status).toBe('loaded')
      const answer = await persons({ agency: 'HK-HKPF', purpose: 'RESCUE' })
      expect(
        answer.json.data?.persons.nodes.map((person: { externalRef: string }) => person.externalRef),
      ).toEqual(['RTP-P-2'])
    } finally {
      await writeFile(node.policyFile, original)
      await node.app.policyStore.reload()
    }
  })

  it('shows an agency what the policy offers it: rules, never data', async () => {
    const answer = await ask(`{ sharingAgreement(with: "VN-MPS") {
      offeredBy with policyVersion policyHash
      agreements { id title with purposes validFrom validTo minimumCell
        resources { resource hitOnly countsOnly tlpCeiling crimeCategories personRoles handlingCodes
          identifierKinds { kind rule } fields { field rule } } } } }`)
    expect(answer.json.errors).toBeUndefined()
    const offer = answer.json.data?.sharingAgreement
    expect(offer).toMatchObject({
      offeredBy: 'TH-RTP',
      with: 'VN-MPS',
      policyVersion: 4,
      policyHash: node.app.policy.hash,
    })
    expect(offer.agreements.map((agreement: { id: string }) => agreement.id)).toEqual([
      'th-vn-investigation-mou',
      'asean-statistics',
    ])
    const persons = offer.agreements[0].resources.find(
      (resource: { resource: string }) => resource.resource === 'persons',
    )
    expect(persons).toMatchObject({ hitOnly: false, tlpCeiling: 'AMBER', handlingCodes: ['H1', 'H2', 'H3'] })
    expect(persons.fields).toContainEqual({ field: 'dateOfBirth', rule: 'generaliseYear' })
    const identifiers = offer.agreements[0].resources.find(
      (resource: { resource: string }) => resource.resource === 'identifiers',
    )
    expect(identifiers.identifierKinds).toContainEqual({ kind: 'NATIONAL_ID', rule: 'mask' })
    expect(offer.agreements[1]).toMatchObject({
      minimumCell: 5,
      resources: expect.arrayContaining([expect.objectContaining({ countsOnly: true, fields: [] })]),
    })
    expect(answer.body).not.toContain('Chan Mei Ling')

    const nothing = await ask('{ sharingAgreement(with: "SG-SPF") { agreements { id } } }')
    expect(nothing.json.data?.sharingAgreement.agreements).toEqual([])
  })

  it('lets a peer see what is offered to its own agency only', async () => {
    const own = await ask('{ sharingAgreement(with: "HK-HKPF") { agreements { id } } }', {
      peer: { agency: 'HK-HKPF', purpose: 'RESCUE' },
    })
    expect(
      own.json.data?.sharingAgreement.agreements.map((agreement: { id: string }) => agreement.id),
    ).toEqual(['th-hk-rescue-2026', 'th-hk-scam-investigation-2026', 'partners-hit-only'])
    const other = await ask('{ sharingAgreement(with: "VN-MPS") { agreements { id } } }', {
      peer: { agency: 'HK-HKPF', purpose: 'RESCUE' },
    })
    expect(other.json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
  })

  it('explains a decision to an administrator, as jaring policy explain does', async () => {
    const query = `query ($id: ID!) { policyExplain(recordId: $id, as: "VN-MPS", purpose: INVESTIGATION) {
      asker purpose policyVersion basis agreementId
      record { resource id release reasons { detail rulePath } fields { field outcome rule rulePath released } }
      identifiers { release fields { field outcome released rulePath } } } }`
    const answer = await ask(query, { token: adminToken, variables: { id: ids.atRisk.id } })
    expect(answer.json.errors).toBeUndefined()
    const explanation = answer.json.data?.policyExplain
    expect(explanation).toMatchObject({
      asker: 'VN-MPS',
      purpose: 'INVESTIGATION',
      policyVersion: 4,
      basis: 'agreement',
      agreementId: 'th-vn-investigation-mou',
      record: { resource: 'persons', id: ids.atRisk.id, release: 'record', reasons: [] },
    })
    expect(explanation.record.fields).toContainEqual({
      field: 'dateOfBirth',
      outcome: 'generalised',
      rule: 'generaliseYear',
      rulePath: 'resources.persons.fields.dateOfBirth',
      released: '"1998"',
    })
    expect(explanation.record.fields).toContainEqual(
      expect.objectContaining({ field: 'notes', outcome: 'omitted', released: null }),
    )
    expect(answer.body).not.toContain(secrets.notes)
    expect(answer.body).not.toContain(secrets.nationalIdDigits)

    const forbidden = await ask(query, { variables: { id: ids.atRisk.id } })
    expect(forbidden.json.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const missing = await ask(query, {
      token: adminToken,
      variables: { id: 'TH-RTP:00000000-0000-4000-8000-000000000000' },
    })
    expect(missing.json.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
  })

  it('builds the same decision for the same peer principal in the repositories', () => {
    const access = node.app.records.access(peerPrincipal({ agency: 'VN-MPS', purpose: 'INVESTIGATION' }))
    expect(access.decision).toMatchObject({ basis: 'agreement', agreementId: 'th-vn-investigation-mou' })
    expect(node.app.records.access(undefined).decision.basis).toBe('none')
  })
})
