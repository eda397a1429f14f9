/**
 * Small, self-contained record fixtures written through the repositories, and a GraphQL client for
 * the front door. Shared by the records and GraphQL suites.
 */
import type { Tlp } from '../../../schema/vocabulary.ts'
import type { Principal } from '../../../services/node/auth/principal.ts'
import { type Role, scopesOfRoles } from '../../../services/node/auth/scopes.ts'
import type { RecordAccess, RecordRepositories } from '../../../services/node/records/index.ts'
import type {
  CaseRecord,
  IntelReportRecord,
  PersonRecord,
  SyndicateRecord,
} from '../../../services/node/records/types.ts'
import type { TestApp } from '../../support/app.ts'

export const agency = 'TH-RTP'

export function principalOf(role: Role, clearance: Tlp): Principal {
  return {
    kind: role === 'system' ? 'system' : 'officer',
    agency,
    subject: `fixture-${role}`,
    roles: [role],
    scopes: scopesOfRoles([role]),
    clearance,
    tokenId: `fixture-${role}-${clearance}`,
  }
}

export function accessOf(
  records: RecordRepositories,
  role: Role = 'system',
  clearance: Tlp = 'RED',
): RecordAccess {
  return records.access(principalOf(role, clearance))
}

export interface GraphqlError {
  message: string
  path?: (string | number)[]
  extensions: { code: string; path?: string; [key: string]: unknown }
}

// biome-ignore lint/suspicious/noExplicitAny: tests read GraphQL answers as loosely typed JSON
type Json = any

export interface GraphqlAnswer<Data = Record<string, Json>> {
  status: number
  data: Data | null | undefined
  errors: GraphqlError[] | undefined
}

/** POST /graphql with a bearer token, as a client does. */
export async function graphql<Data = Record<string, Json>>(
  node: TestApp,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlAnswer<Data>> {
  const response = await node.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ query, variables }),
  })
  const body = response.json() as { data?: Data | null; errors?: GraphqlError[] }
  return { status: response.statusCode, data: body.data, errors: body.errors }
}

/** The codes of an answer's errors, in order. */
export const codes = (answer: GraphqlAnswer) => (answer.errors ?? []).map((error) => error.extensions.code)

export interface Fixtures {
  persons: {
    nguyen: PersonRecord
    somchai: PersonRecord
    wei: PersonRecord
    redSuspect: PersonRecord
    percent: PersonRecord
  }
  cases: {
    compound: CaseRecord
    drugs: CaseRecord
    closedScam: CaseRecord
    red: CaseRecord
  }
  syndicates: { dragon: SyndicateRecord; red: SyndicateRecord }
  reports: { compound: IntelReportRecord; red: IntelReportRecord }
}

/**
 * A small agency: persons in several scripts with identifiers, cases across categories, statuses,
 * dates and TLP levels (one of each kind at RED), syndicates and intelligence reports linking them.
 */
export async function createFixtures(records: RecordRepositories): Promise<Fixtures> {
  const access = accessOf(records)
  const nguyen = await records.persons.create(access, {
    externalRef: 'P-NGUYEN',
    tlp: 'GREEN',
    names: [{ fullName: 'Nguyễn Văn An' }, { kind: 'ALIAS', fullName: 'Anh Nguyen' }],
    identifiers: [
      { kind: 'PHONE', value: '+66 81 234 5678' },
      { kind: 'PASSPORT', value: 'c1234567', issuingCountry: 'VN' },
      { kind: 'EMAIL', value: 'An.Nguyen@Example.com' },
    ],
    dateOfBirth: '1994-07',
    nationality: 'VN',
    gender: 'MALE',
    status: 'TRAPPED',
    lastKnownCountry: 'MM',
  })
  const somchai = await records.persons.create(access, {
    externalRef: 'P-SOMCHAI',
    tlp: 'AMBER',
    names: [{ fullName: 'สมชาย ใจดี', romanised: 'Somchai Jaidee' }],
    identifiers: [{ kind: 'PHONE', value: '089-999-1234' }],
    dateOfBirth: '1980',
    nationality: 'TH',
    gender: 'MALE',
    status: 'DETAINED',
  })
  const wei = await records.persons.create(access, {
    externalRef: 'P-WEI',
    tlp: 'AMBER',
    names: [{ fullName: '王伟', romanised: 'Wang Wei' }],
    identifiers: [
      { kind: 'SOCIAL_HANDLE', value: 'telegram:@Boss_88' },
      { kind: 'PHONE', value: '+852 9123 4567', tlp: 'RED' },
    ],
    nationality: 'CN',
    status: 'AT_LARGE',
  })
  const redSuspect = await records.persons.create(access, {
    externalRef: 'P-RED',
    tlp: 'RED',
    names: [{ fullName: 'Zaw Min Htet' }],
    identifiers: [{ kind: 'PHONE', value: '+95 9 420 123 456' }],
    nationality: 'MM',
  })
  const percent = await records.persons.create(access, {
    externalRef: 'P-100%_x',
    tlp: 'CLEAR',
    names: [{ fullName: "O'Brien 100% Under_Score" }],
  })
  const compound = await records.cases.create(access, {
    externalRef: 'C-2025-001',
    tlp: 'AMBER',
    title: 'Scam compound in Myawaddy',
    summary: 'Victims lured by fake job offers; forced to run romance scams.',
    crimeCategory: 'TRAFFICKING_IN_PERSONS',
    status: 'UNDER_INVESTIGATION',
    country: 'TH',
    location: 'Mae Sot',
    openedOn: '2025-03-14',
    persons: [
      { personId: nguyen.id, role: 'VICTIM' },
      { personId: wei.id, role: 'SUSPECT' },
      { personId: redSuspect.id, role: 'SUSPECT' },
    ],
  })
  const drugs = await records.cases.create(access, {
    externalRef: 'C-2024-017',
    tlp: 'GREEN',
    title: 'Methamphetamine shipment, Chiang Rai',
    crimeCategory: 'ILLICIT_DRUG_TRAFFICKING',
    status: 'OPEN',
    country: 'TH',
    openedOn: '2024-11-02',
    persons: [{ personId: somchai.id, role: 'SUSPECT' }],
  })
  const closedScam = await records.cases.create(access, {
    externalRef: 'C-2023-100',
    tlp: 'CLEAR',
    title: 'Investment fraud — Đà Nẵng call centre',
    crimeCategory: 'INTERNATIONAL_ECONOMIC_CRIME',
    status: 'CLOSED',
    country: 'VN',
    openedOn: '2023-01-20',
    closedOn: '2023-09-30',
    persons: [{ personId: nguyen.id, role: 'WITNESS' }],
  })
  const red = await records.cases.create(access, {
    externalRef: 'C-RED',
    tlp: 'RED',
    title: 'Informant-protected case',
    crimeCategory: 'MONEY_LAUNDERING',
    country: 'TH',
    openedOn: '2025-02-01',
    persons: [{ personId: somchai.id, role: 'SUSPECT' }],
  })
  const dragon = await records.syndicates.create(access, {
    externalRef: 'S-DRAGON',
    tlp: 'AMBER',
    name: 'Golden Dragon Network',
    aliases: ['Kim Long', 'Rồng Vàng'],
    countries: ['MM', 'TH', 'LA'],
    crimeCategory: 'TRAFFICKING_IN_PERSONS',
    members: [
      { personId: wei.id, role: 'LEADER' },
      { personId: somchai.id, role: 'MONEY_MULE' },
      { personId: redSuspect.id, role: 'FACILITATOR' },
    ],
    caseIds: [compound.id, red.id],
  })
  const redSyndicate = await records.syndicates.create(access, {
    externalRef: 'S-RED',
    tlp: 'RED',
    name: 'Shadow Ledger',
    crimeCategory: 'MONEY_LAUNDERING',
    status: 'DISRUPTED',
    countries: ['TH'],
    caseIds: [drugs.id],
  })
  const compoundReport = await records.intelReports.create(access, {
    externalRef: 'I-001',
    tlp: 'AMBER',
    title: 'Recruiter active on Telegram',
    body: 'The recruiter posts fake job offers for call-centre work in Bangkok.',
    sourceGrading: 'B',
    informationGrading: 'TWO',
    crimeCategory: 'TRAFFICKING_IN_PERSONS',
    reportedOn: '2025-03-20',
    subjectIds: [compound.id, wei.id, dragon.id],
  })
  const redReport = await records.intelReports.create(access, {
    externalRef: 'I-RED',
    tlp: 'RED',
    title: 'Informant report',
    body: 'Source-protected information.',
    sourceGrading: 'A',
    informationGrading: 'ONE',
    crimeCategory: 'MONEY_LAUNDERING',
    reportedOn: '2025-02-10',
    subjectIds: [red.id, somchai.id],
  })
  return {
    persons: { nguyen, somchai, wei, redSuspect, percent },
    cases: { compound, drugs, closedScam, red },
    syndicates: { dragon, red: redSyndicate },
    reports: { compound: compoundReport, red: redReport },
  }
}
