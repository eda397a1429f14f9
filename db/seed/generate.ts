/**
 * The synthetic data generator: cases in blocks of 20, each block with its persons (names,
 * identifiers), one syndicate and about two intelligence reports. Every block draws from its own
 * random stream, keyed by (seed, agency, block), so the rows depend only on those three and never on
 * the clock, the chunk size or the machine. Rows come out as CSV lines for COPY.
 */
import {
  type CaseStatus,
  type CrimeCategory,
  crimeCategories,
  type DatePrecision,
  type Gender,
  type IdentifierKind,
  type InformationGrading,
  type PersonRole,
  type PersonStatus,
  type SourceGrading,
  type SyndicateMemberRole,
  type SyndicateStatus,
  type Tlp,
} from '../../schema/vocabulary.ts'
import { normaliseIdentifier } from '../../services/node/matching/identifiers.ts'
import { nameTokens } from '../../services/node/matching/names.ts'
import { type SeedAgency, seedAgency } from './agencies.ts'
import {
  bankAccount,
  type CountryProfile,
  countryProfile,
  formatPhone,
  mobileNumber,
  type PersonFacts,
  type PhoneFormat,
} from './countries.ts'
import { type CsvValue, csvLine, pgTextArray } from './csv.ts'
import { type FigureRecord, sharedFiguresFor } from './figures.ts'
import { emailAddress, imei, randomWallet, type SocialPlatform, socialHandle } from './identifiers.ts'
import { type NameForm, personNames } from './names.ts'
import { Random, type Weights } from './random.ts'
import {
  type CaseContext,
  caseSummary,
  caseTitle,
  personNote,
  platforms,
  reportBody,
  reportTitle,
  seas,
  syndicateDescription,
  syndicateName,
} from './texts.ts'

const columns = (list: string): readonly string[] => list.split(' ')

/** The columns the generator fills, per table, in COPY order (foreign keys before their users). */
export const seedTables = {
  cases: columns(
    'id agency external_ref tlp handling_code created_at updated_at version title summary crime_category status country location opened_on closed_on opened_month closed_month',
  ),
  persons: columns(
    'id agency external_ref tlp handling_code created_at updated_at version date_of_birth date_of_birth_precision date_of_birth_approximate nationality gender status last_known_country status_changed_on status_month notes',
  ),
  person_names: columns('id person_id kind full_name script romanised tokens'),
  identifiers: columns('id agency person_id kind value normalised issuing_country tlp created_at'),
  case_persons: columns('case_id person_id role'),
  syndicates: columns(
    'id agency external_ref tlp handling_code created_at updated_at version name aliases status countries description crime_category',
  ),
  syndicate_members: columns('syndicate_id person_id role'),
  syndicate_cases: columns('syndicate_id case_id'),
  intel_reports: columns(
    'id agency external_ref tlp handling_code created_at updated_at version title body source_grading information_grading crime_category reported_on reported_month',
  ),
  intel_subjects: columns('id report_id case_id person_id syndicate_id'),
} satisfies Record<string, readonly string[]>

export type SeedTable = keyof typeof seedTables
export const seedTableNames = Object.keys(seedTables) as SeedTable[]

/** The tables in foreign-key order: each wave refers only to tables of earlier waves. */
export const seedCopyWaves: readonly (readonly SeedTable[])[] = [
  ['cases', 'persons'],
  ['person_names', 'identifiers', 'case_persons', 'syndicates'],
  ['syndicate_members', 'syndicate_cases', 'intel_reports'],
  ['intel_subjects'],
]

/** CSV lines per table, filled by the generator and emptied by one COPY per table. */
export class RowBatch {
  private readonly lines = Object.fromEntries(seedTableNames.map((t) => [t, []])) as unknown as Record<
    SeedTable,
    string[]
  >

  add(table: SeedTable, values: readonly CsvValue[]): void {
    this.lines[table].push(csvLine(values))
  }

  rows(table: SeedTable): number {
    return this.lines[table].length
  }

  /**
   * The lines in key order (each line starts with its table's key), so that index inserts and
   * foreign-key checks visit each index page once per batch rather than at random.
   */
  csv(table: SeedTable): string {
    return this.lines[table].sort().join('')
  }
}

const casesPerBlock = 20
export const minSeedCases = 100
export const maxSeedCases = 1_000_000

const dayMs = 86_400_000
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / dayMs
const isoDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10)
const monthOf = (iso: string) => `${iso.slice(0, 7)}-01`
const isoTime = (ms: number) => new Date(ms).toISOString()

/** The synthetic data describes the years up to this day: no record is dated after it. */
const asOfDay = dayOf('2026-11-15')
const lastOpenedDay = dayOf('2026-10-31')
const openedYears: Weights<string> = {
  2019: 4,
  2020: 5,
  2021: 8,
  2022: 12,
  2023: 16,
  2024: 18,
  2025: 20,
  2026: 17,
}

const categoryWeights: Weights<CrimeCategory> = {
  INTERNATIONAL_ECONOMIC_CRIME: 32,
  TRAFFICKING_IN_PERSONS: 22,
  CYBERCRIME: 9,
  MONEY_LAUNDERING: 9,
  ILLICIT_DRUG_TRAFFICKING: 10,
  PEOPLE_SMUGGLING: 6,
  WILDLIFE_AND_TIMBER_TRAFFICKING: 4,
  ARMS_SMUGGLING: 3,
  SEA_PIRACY: 2,
  TERRORISM: 3,
}

/** Where offences of each category happen when not in the agency's own country. */
const offenceCountries: Record<CrimeCategory, Weights<string>> = {
  INTERNATIONAL_ECONOMIC_CRIME: { KH: 5, MM: 5, PH: 3, LA: 2, MY: 2, TH: 2 },
  TRAFFICKING_IN_PERSONS: { MM: 6, KH: 5, LA: 3, PH: 2 },
  PEOPLE_SMUGGLING: { MY: 4, TH: 4, ID: 2, MM: 2 },
  MONEY_LAUNDERING: { HK: 3, SG: 2, MY: 2, TH: 2, KH: 2, MO: 1 },
  ILLICIT_DRUG_TRAFFICKING: { MM: 5, LA: 3, TH: 3, MY: 2, VN: 2 },
  ARMS_SMUGGLING: { TH: 2, PH: 3, MM: 2 },
  SEA_PIRACY: { ID: 3, MY: 2, PH: 2, SG: 2 },
  CYBERCRIME: { CN: 3, KH: 3, MM: 2, HK: 2, VN: 1 },
  WILDLIFE_AND_TIMBER_TRAFFICKING: { VN: 3, LA: 3, TH: 2, MY: 2, ID: 2 },
  TERRORISM: { PH: 3, ID: 3, MY: 2 },
}

/** How often an offence of each category is one in the agency's own country. */
const homeShare: Record<CrimeCategory, number> = {
  INTERNATIONAL_ECONOMIC_CRIME: 0.6,
  TRAFFICKING_IN_PERSONS: 0.15,
  PEOPLE_SMUGGLING: 0.5,
  MONEY_LAUNDERING: 0.6,
  ILLICIT_DRUG_TRAFFICKING: 0.6,
  ARMS_SMUGGLING: 0.6,
  SEA_PIRACY: 0.3,
  CYBERCRIME: 0.6,
  WILDLIFE_AND_TIMBER_TRAFFICKING: 0.6,
  TERRORISM: 0.6,
}

const compoundCountries = ['MM', 'KH', 'LA', 'PH']

/** Nationalities of persons by what they are; HOME stands for the agency's own country. */
const nationalities = {
  scamSuspect: { CN: 30, HOME: 25, TW: 8, MY: 10, KH: 5, MM: 5, VN: 5, TH: 5, ID: 4, PH: 3 },
  trafficker: { CN: 30, HOME: 20, MM: 15, KH: 10, MY: 10, TH: 10, TW: 5 },
  drugSuspect: { HOME: 40, MM: 20, LA: 10, CN: 10, TH: 10, MY: 10 },
  otherSuspect: { HOME: 60, MM: 8, MY: 8, PH: 6, ID: 6, CN: 6, VN: 6 },
  migrant: { MM: 4, KH: 2, LA: 2, VN: 2, ID: 2, HOME: 1 },
  resident: { HOME: 85, MY: 3, ID: 3, PH: 3, MM: 3, CN: 3 },
} as const satisfies Record<string, Weights<string>>

const tlpWeights: Weights<Tlp> = { CLEAR: 3, GREEN: 35, AMBER: 42, AMBER_STRICT: 12, RED: 8 }
const sensitiveTlpWeights: Weights<Tlp> = { GREEN: 15, AMBER: 45, AMBER_STRICT: 25, RED: 15 }
const handlingCodes: Weights<string> = { H1: 10, H2: 20, H3: 45, H4: 15, H5: 10 }
const caseStatusWeights: Weights<CaseStatus> = { OPEN: 20, UNDER_INVESTIGATION: 35, REFERRED: 10, CLOSED: 35 }
const versionWeights: Weights<string> = { 1: 4, 2: 3, 3: 2, 4: 1, 5: 1 }
const sourceGradings: Weights<SourceGrading> = { A: 5, B: 30, C: 35, D: 15, E: 5, F: 10 }
const informationGradings: Weights<InformationGrading> = {
  ONE: 5,
  TWO: 30,
  THREE: 35,
  FOUR: 15,
  FIVE: 5,
  SIX: 10,
}
const syndicateStatuses: Weights<SyndicateStatus> = { ACTIVE: 6, DISRUPTED: 3, DISMANTLED: 1 }
const memberRoles: Weights<SyndicateMemberRole> = { MEMBER: 5, FACILITATOR: 3, MONEY_MULE: 3 }
const identifierCounts: Weights<string> = { 1: 30, 2: 45, 3: 25 }
const birthDatePrecisions: Weights<DatePrecision | 'NONE'> = { DAY: 70, YEAR: 15, MONTH: 5, NONE: 10 }
const passportSpellings: Weights<'plain' | 'spaced' | 'lower'> = { plain: 85, spaced: 10, lower: 5 }
const exploitedStatuses: Weights<PersonStatus> = { TRAPPED: 40, RESCUED: 30, REPATRIATED: 30 }
const suspectStatuses: Weights<PersonStatus> = { AT_LARGE: 55, DETAINED: 30, HANDED_OVER: 15 }

type KindWeights = Weights<IdentifierKind>
const suspectKinds = {
  PHONE: 30,
  PASSPORT: 14,
  CRYPTO_WALLET: 8,
  BANK_ACCOUNT: 10,
  SOCIAL_HANDLE: 10,
  IMEI: 8,
  EMAIL: 6,
  NATIONAL_ID: 6,
  VEHICLE_PLATE: 4,
} satisfies KindWeights
const identifierKindsByRole: Record<PersonRole, KindWeights> = {
  SUSPECT: suspectKinds,
  VICTIM: { PHONE: 30, BANK_ACCOUNT: 15, NATIONAL_ID: 15, EMAIL: 10, PASSPORT: 10, SOCIAL_HANDLE: 8 },
  PERSON_AT_RISK: { PASSPORT: 30, PHONE: 30, SOCIAL_HANDLE: 15, NATIONAL_ID: 15 },
  WITNESS: { PHONE: 50, NATIONAL_ID: 20, EMAIL: 15 },
}
/** Suspects of scams and laundering hold wallets; suspects of smuggling drive. */
const moneySuspectKinds: KindWeights = { ...suspectKinds, CRYPTO_WALLET: suspectKinds.CRYPTO_WALLET * 3 }
const smugglingSuspectKinds: KindWeights = { ...suspectKinds, VEHICLE_PLATE: suspectKinds.VEHICLE_PLATE * 4 }
const moneyCategories = new Set<CrimeCategory>([
  'INTERNATIONAL_ECONOMIC_CRIME',
  'MONEY_LAUNDERING',
  'CYBERCRIME',
])
const smugglingCategories = new Set<CrimeCategory>([
  'ILLICIT_DRUG_TRAFFICKING',
  'WILDLIFE_AND_TIMBER_TRAFFICKING',
  'ARMS_SMUGGLING',
  'PEOPLE_SMUGGLING',
])

const phoneFormats: Weights<PhoneFormat> = { international: 40, national: 35, e164: 20, idd: 5 }
const socialPlatformsByCountry: Record<string, Weights<SocialPlatform>> = {
  TH: { line: 4, facebook: 3, telegram: 3 },
  VN: { zalo: 4, facebook: 3, telegram: 3 },
  CN: { wechat: 6, telegram: 4 },
  HK: { telegram: 5, facebook: 3, instagram: 2 },
  TW: { line: 5, telegram: 3, facebook: 2 },
}
const defaultSocialPlatforms: Weights<SocialPlatform> = { telegram: 4, facebook: 4, tiktok: 1, instagram: 1 }

const thousands = new Intl.NumberFormat('en-US')

/** The node's own normalisation; a value it rejects is a defect of the generator, reported with the value. */
function normalised(kind: IdentifierKind, value: string, country: string | null) {
  try {
    return normaliseIdentifier(kind, value, country ? { country } : undefined)
  } catch (error) {
    throw new Error(
      `The generator made an invalid ${kind} "${value}" (country ${country}): ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

/**
 * Names repeat (a few thousand combinations per culture), so their token arrays are computed once.
 * Bounded, so that memory stays flat on a million cases.
 */
const tokenArrays = new Map<string, string>()

function tokenArray(name: NameForm): string {
  const key = `${name.fullName}\u0000${name.romanised ?? ''}`
  let tokens = tokenArrays.get(key)
  if (tokens === undefined) {
    if (tokenArrays.size >= 200_000) tokenArrays.clear()
    tokens = pgTextArray(nameTokens(name.fullName, name.romanised))
    tokenArrays.set(key, tokens)
  }
  return tokens
}

interface CaseRef {
  id: string
  category: CrimeCategory
  country: string
  place: string
  openedDay: number
  createdMs: number
}

interface PersonRef {
  id: string
  caseId: string
  role: PersonRole
  memberRole: SyndicateMemberRole | null
  /** A regional figure shared with other agencies' data. */
  shared: boolean
}

interface PersonSpec {
  role: PersonRole
  category: CrimeCategory
  nationality: string
  caseRef: CaseRef
  figure?: FigureRecord
}

/** Everything one block produced that its syndicate and reports refer to. */
interface BlockState {
  cases: CaseRef[]
  suspects: PersonRef[]
}

export interface GeneratorOptions {
  agency: string
  cases: number
  seed: string
}

export class SeedGenerator {
  readonly agency: SeedAgency
  readonly totalCases: number
  readonly blockCount: number
  private readonly seed: string
  private readonly home: CountryProfile
  private readonly figuresByBlock = new Map<number, FigureRecord[]>()
  private personSequence = 0
  private syndicateSequence = 0
  private reportSequence = 0
  private nextBlock = 0

  constructor(options: GeneratorOptions) {
    if (!Number.isInteger(options.cases) || options.cases < 1)
      throw new Error('cases must be a positive integer')
    this.agency = seedAgency(options.agency)
    this.home = countryProfile(this.agency.country)
    this.seed = options.seed
    this.totalCases = options.cases
    this.blockCount = Math.ceil(options.cases / casesPerBlock)
    const figures = sharedFiguresFor(this.agency.code)
    figures.forEach((figure, index) => {
      const block = Math.floor((index * this.blockCount) / figures.length)
      const placed = this.figuresByBlock.get(block) ?? []
      placed.push(figure)
      this.figuresByBlock.set(block, placed)
    })
  }

  /** Appends the rows of the next block to `out`; returns the number of cases it holds (0 when done). */
  generateNextBlock(out: RowBatch): number {
    if (this.nextBlock >= this.blockCount) return 0
    const block = this.nextBlock++
    const random = new Random('jaring-seed-v1', this.seed, this.agency.code, block)
    const first = block * casesPerBlock
    const count = Math.min(casesPerBlock, this.totalCases - first)
    const state: BlockState = { cases: [], suspects: [] }
    for (let i = 0; i < count; i++) this.addCase(random, first + i, state, out)
    const figures = this.figuresByBlock.get(block) ?? []
    figures.forEach((figure, i) => {
      const caseRef = state.cases[i % count] as CaseRef
      const person = this.addPerson(random, out, {
        role: 'SUSPECT',
        category: caseRef.category,
        nationality: figure.figure.nationality,
        caseRef,
        figure,
      })
      state.suspects.push(person)
    })
    const syndicate = this.addSyndicate(random, state, out)
    for (let i = 0; i < Math.round(count / 10); i++) this.addReport(random, state, syndicate, out)
    return count
  }

  private addCase(random: Random, index: number, state: BlockState, out: RowBatch): void {
    const category =
      index < crimeCategories.length
        ? (crimeCategories[index] as CrimeCategory)
        : random.weighted(categoryWeights)
    const country = random.chance(homeShare[category])
      ? this.home.code
      : random.weighted(offenceCountries[category])
    const profile = countryProfile(country)
    const place = category === 'SEA_PIRACY' ? random.pick(seas) : random.pick(profile.places)
    const year = random.weighted(openedYears)
    const yearStart = dayOf(`${year}-01-01`)
    const openedDay = random.int(yearStart, Math.min(dayOf(`${year}-12-31`), lastOpenedDay))
    let status = random.weighted(caseStatusWeights)
    if (status === 'CLOSED' && openedDay > asOfDay - 30) status = 'UNDER_INVESTIGATION'
    const closedDay = status === 'CLOSED' ? Math.min(openedDay + random.int(14, 720), asOfDay) : null
    const createdMs = openedDay * dayMs + random.int(7 * 3600, 20 * 3600) * 1000
    const version = Number(random.weighted(versionWeights))
    const lastDay = closedDay ?? asOfDay
    const updatedMs =
      version === 1 ? createdMs : createdMs + Math.floor(random.float() * (lastDay - openedDay) * dayMs)
    const context: CaseContext = {
      place,
      countryName: profile.name,
      homeName: this.home.name,
      amount: `${profile.currency} ${thousands.format(Math.round(10 ** (3 + random.float() * 3.5)) * 10)}`,
      platform: random.weighted(platforms),
      bank: random.pick(profile.banks).code,
      count: random.int(2, 60),
      kilograms: random.int(5, 900),
      sea: random.pick(seas),
    }
    const id = random.uuid()
    const openedOn = isoDay(openedDay)
    const closedOn = closedDay === null ? null : isoDay(closedDay)
    out.add('cases', [
      id,
      this.agency.code,
      `${this.agency.code}/C/${year}/${String(index + 1).padStart(7, '0')}`,
      random.weighted(tlpWeights),
      random.weighted(handlingCodes),
      isoTime(createdMs),
      isoTime(updatedMs),
      version,
      caseTitle(random, category, context),
      caseSummary(random, category, context),
      category,
      status,
      country,
      place,
      openedOn,
      closedOn,
      monthOf(openedOn),
      closedOn && monthOf(closedOn),
    ])
    const caseRef: CaseRef = { id, category, country, place, openedDay, createdMs }
    state.cases.push(caseRef)
    for (const role of this.personPlan(random, category)) {
      const person = this.addPerson(random, out, {
        role,
        category,
        nationality: this.nationalityFor(random, role, category),
        caseRef,
      })
      if (role === 'SUSPECT') state.suspects.push(person)
    }
    // A suspect seen before in the same block turns up again: one person, two cases.
    const earlier = state.suspects.filter((s) => s.caseId !== id)
    if (earlier.length > 0 && random.chance(0.1))
      out.add('case_persons', [id, random.pick(earlier).id, 'SUSPECT'])
  }

  /** One to four persons per case, the roles depending on the kind of crime. */
  private personPlan(random: Random, category: CrimeCategory): PersonRole[] {
    const roles: PersonRole[] = []
    const add = (role: PersonRole, count: number) => {
      for (let i = 0; i < count; i++) roles.push(role)
    }
    switch (category) {
      case 'INTERNATIONAL_ECONOMIC_CRIME':
      case 'CYBERCRIME':
        add('VICTIM', 1)
        add('SUSPECT', random.int(0, 2))
        add('WITNESS', random.chance(0.15) ? 1 : 0)
        break
      case 'TRAFFICKING_IN_PERSONS':
        add('PERSON_AT_RISK', random.int(1, 2))
        add('SUSPECT', random.int(0, 1))
        add('VICTIM', random.chance(0.4) ? 1 : 0)
        break
      case 'PEOPLE_SMUGGLING':
        add('SUSPECT', 1)
        add(random.chance(0.5) ? 'PERSON_AT_RISK' : 'VICTIM', random.int(1, 2))
        break
      default:
        add('SUSPECT', random.int(1, 3))
        add(random.chance(0.5) ? 'WITNESS' : 'VICTIM', random.chance(0.4) ? 1 : 0)
    }
    return roles.slice(0, 4)
  }

  private nationalityFor(random: Random, role: PersonRole, category: CrimeCategory): string {
    let table: Weights<string>
    if (role === 'SUSPECT') {
      if (category === 'TRAFFICKING_IN_PERSONS') table = nationalities.trafficker
      else if (category === 'ILLICIT_DRUG_TRAFFICKING') table = nationalities.drugSuspect
      else if (moneyCategories.has(category)) table = nationalities.scamSuspect
      else table = nationalities.otherSuspect
    } else {
      table = category === 'PEOPLE_SMUGGLING' ? nationalities.migrant : nationalities.resident
    }
    const pick = random.weighted(table)
    return pick === 'HOME' ? this.home.code : pick
  }

  private addPerson(random: Random, out: RowBatch, spec: PersonSpec): PersonRef {
    const { role, category, caseRef, figure } = spec
    const nationality = spec.nationality
    const profile = countryProfile(nationality)
    const id = random.uuid()
    const gender: Gender = figure
      ? figure.figure.gender
      : random.chance(role === 'SUSPECT' ? 0.78 : role === 'PERSON_AT_RISK' ? 0.6 : 0.5)
        ? 'MALE'
        : 'FEMALE'
    const openedYear = Number(isoDay(caseRef.openedDay).slice(0, 4))
    const [minAge, maxAge] = role === 'SUSPECT' ? [20, 60] : role === 'PERSON_AT_RISK' ? [18, 40] : [17, 55]
    const facts: PersonFacts = figure
      ? {
          birthYear: Number(figure.figure.dateOfBirth.slice(0, 4)),
          birthMonth: Number(figure.figure.dateOfBirth.slice(5, 7)),
          birthDay: Number(figure.figure.dateOfBirth.slice(8, 10)),
          female: gender === 'FEMALE',
        }
      : {
          birthYear: openedYear - random.int(minAge, maxAge),
          birthMonth: random.int(1, 12),
          birthDay: random.int(1, 28),
          female: gender === 'FEMALE',
        }
    const precision = random.weighted(birthDatePrecisions)
    const pad2 = (n: number) => String(n).padStart(2, '0')
    const dateOfBirth =
      precision === 'DAY'
        ? `${facts.birthYear}-${pad2(facts.birthMonth)}-${pad2(facts.birthDay)}`
        : precision === 'MONTH'
          ? `${facts.birthYear}-${pad2(facts.birthMonth)}-01`
          : precision === 'YEAR'
            ? `${facts.birthYear}-01-01`
            : null
    const approximate = precision === 'YEAR' && random.chance(0.6)

    const { status, lastKnownCountry, statusDay } = this.personStatus(
      random,
      role,
      category,
      nationality,
      caseRef,
    )
    const createdMs = caseRef.createdMs + random.int(0, 3 * 86_400) * 1000
    const statusMs = statusDay === null ? null : statusDay * dayMs + random.int(6 * 3600, 22 * 3600) * 1000
    const updatedMs = statusMs === null ? createdMs : Math.max(createdMs, statusMs)
    const statusOn = statusDay === null ? null : isoDay(statusDay)
    const sensitive = role === 'PERSON_AT_RISK' || role === 'VICTIM'
    const tlp = random.weighted(sensitive ? sensitiveTlpWeights : tlpWeights)
    this.personSequence++
    out.add('persons', [
      id,
      this.agency.code,
      `${this.agency.code}/P/${String(this.personSequence).padStart(8, '0')}`,
      tlp,
      random.weighted(handlingCodes),
      isoTime(createdMs),
      isoTime(updatedMs),
      updatedMs === createdMs ? 1 : 2,
      dateOfBirth,
      dateOfBirth === null ? null : precision,
      approximate,
      nationality,
      gender,
      status,
      lastKnownCountry,
      statusOn,
      statusOn && monthOf(statusOn),
      role === 'SUSPECT' || sensitive ? personNote(random, sensitive) : '',
    ])
    out.add('case_persons', [caseRef.id, id, role])

    const names = figure ? null : personNames(random.weighted(profile.cultures), random, gender)
    const primary = figure ? figure.name : (names?.primary as NameForm)
    this.addName(random, out, id, 'PRIMARY', primary)
    if (names && random.chance(role === 'SUSPECT' ? 0.4 : 0.1))
      this.addName(random, out, id, 'ALIAS', names.alias)

    const identifierCreated = isoTime(createdMs)
    const addIdentifier = (
      kind: IdentifierKind,
      value: string,
      country: string | null,
      issuingCountry?: string,
    ) => {
      const result = normalised(kind, value, country)
      out.add('identifiers', [
        random.uuid(),
        this.agency.code,
        id,
        kind,
        result.value,
        result.normalised,
        result.issuingCountry ?? issuingCountry ?? null,
        tlp,
        identifierCreated,
      ])
    }
    if (figure) {
      addIdentifier('PHONE', figure.phone, figure.figure.phone.country)
      addIdentifier('PASSPORT', figure.passport, figure.figure.passport.country)
      addIdentifier('CRYPTO_WALLET', figure.figure.wallet, null)
      if (figure.telegram) addIdentifier('SOCIAL_HANDLE', figure.telegram, null)
    } else {
      const kinds = this.identifierKinds(random, role, category, profile)
      for (const kind of kinds) {
        switch (kind) {
          case 'PHONE': {
            const simCountry =
              role !== 'WITNESS' && random.chance(0.25)
                ? countryProfile(role === 'SUSPECT' ? caseRef.country : (lastKnownCountry ?? nationality))
                : profile
            const number = mobileNumber(random, simCountry)
            addIdentifier(
              'PHONE',
              formatPhone(simCountry, number, random.weighted(phoneFormats)),
              simCountry.code,
            )
            break
          }
          case 'PASSPORT': {
            const number = profile.passport(random, false)
            const spelling = random.weighted(passportSpellings)
            const written =
              spelling === 'spaced'
                ? `${number.slice(0, 2)} ${number.slice(2)}`
                : spelling === 'lower'
                  ? number.toLowerCase()
                  : number
            addIdentifier('PASSPORT', written, nationality)
            break
          }
          case 'NATIONAL_ID':
            addIdentifier(
              'NATIONAL_ID',
              (profile.nationalId as NonNullable<typeof profile.nationalId>)(random, facts),
              nationality,
            )
            break
          case 'EMAIL':
            addIdentifier('EMAIL', emailAddress(random, primary, profile.emailDomains), null)
            break
          case 'SOCIAL_HANDLE':
            addIdentifier(
              'SOCIAL_HANDLE',
              socialHandle(
                random,
                primary,
                random.weighted(socialPlatformsByCountry[nationality] ?? defaultSocialPlatforms),
              ),
              null,
            )
            break
          case 'BANK_ACCOUNT': {
            const bankCountry =
              role === 'SUSPECT' && random.chance(0.5) ? countryProfile(caseRef.country) : profile
            addIdentifier('BANK_ACCOUNT', bankAccount(random, bankCountry), null, bankCountry.code)
            break
          }
          case 'CRYPTO_WALLET':
            addIdentifier('CRYPTO_WALLET', randomWallet(random), null)
            break
          case 'IMEI':
            addIdentifier('IMEI', imei(random), null)
            break
          case 'VEHICLE_PLATE': {
            const plateCountry = countryProfile(random.chance(0.7) ? caseRef.country : nationality)
            addIdentifier('VEHICLE_PLATE', plateCountry.plate(random), plateCountry.code)
            break
          }
        }
      }
    }
    const memberRole = figure ? figure.figure.role : role === 'SUSPECT' ? random.weighted(memberRoles) : null
    return { id, caseId: caseRef.id, role, memberRole, shared: figure !== undefined }
  }

  private identifierKinds(
    random: Random,
    role: PersonRole,
    category: CrimeCategory,
    profile: CountryProfile,
  ): IdentifierKind[] {
    let table = identifierKindsByRole[role]
    if (role === 'SUSPECT' && moneyCategories.has(category)) table = moneySuspectKinds
    else if (role === 'SUSPECT' && smugglingCategories.has(category)) table = smugglingSuspectKinds
    const kinds: IdentifierKind[] = []
    const count = Number(random.weighted(identifierCounts))
    while (kinds.length < count) {
      const kind = random.weighted(table)
      // Where the data has no national id format, the person's passport stands in for it.
      const usable = kind === 'NATIONAL_ID' && !profile.nationalId ? 'PASSPORT' : kind
      if (!kinds.includes(usable)) kinds.push(usable)
    }
    return kinds
  }

  private personStatus(
    random: Random,
    role: PersonRole,
    category: CrimeCategory,
    nationality: string,
    caseRef: CaseRef,
  ): { status: PersonStatus; lastKnownCountry: string | null; statusDay: number | null } {
    const after = (min: number, max: number) => Math.min(caseRef.openedDay + random.int(min, max), asOfDay)
    const exploited =
      role === 'PERSON_AT_RISK' ||
      (role === 'VICTIM' && (category === 'TRAFFICKING_IN_PERSONS' || category === 'PEOPLE_SMUGGLING'))
    if (exploited) {
      const places = compoundCountries.filter((c) => c !== nationality)
      const held = places.includes(caseRef.country) ? caseRef.country : random.pick(places)
      const status = random.weighted(exploitedStatuses)
      if (status === 'TRAPPED') return { status, lastKnownCountry: held, statusDay: after(-20, 10) }
      if (status === 'RESCUED') return { status, lastKnownCountry: held, statusDay: after(10, 200) }
      return { status, lastKnownCountry: nationality, statusDay: after(30, 365) }
    }
    if (role === 'SUSPECT') {
      const status = random.weighted(suspectStatuses)
      if (status === 'DETAINED')
        return { status, lastKnownCountry: caseRef.country, statusDay: after(0, 120) }
      if (status === 'HANDED_OVER')
        return { status, lastKnownCountry: this.home.code, statusDay: after(30, 400) }
      return { status, lastKnownCountry: random.pick([caseRef.country, nationality]), statusDay: null }
    }
    return { status: 'AT_LARGE', lastKnownCountry: nationality, statusDay: null }
  }

  private addName(
    random: Random,
    out: RowBatch,
    personId: string,
    kind: 'PRIMARY' | 'ALIAS',
    name: NameForm,
  ): void {
    out.add('person_names', [
      random.uuid(),
      personId,
      kind,
      name.fullName,
      name.script,
      name.romanised,
      tokenArray(name),
    ])
  }

  private addSyndicate(random: Random, state: BlockState, out: RowBatch): { id: string; name: string } {
    const id = random.uuid()
    const anchor = random.pick(state.cases)
    const suspectCases = state.cases.filter((c) => state.suspects.some((s) => s.caseId === c.id))
    const category = (suspectCases.length > 0 ? random.pick(suspectCases) : anchor).category
    const countries = new Set<string>([this.home.code])
    for (const c of state.cases) if (countries.size < 4 && random.chance(0.3)) countries.add(c.country)
    while (countries.size < 2) countries.add(random.pick(compoundCountries))
    const countryList = [...countries].sort()
    const { name, aliases } = syndicateName(random, anchor.place)
    const figures = state.suspects.filter((s) => s.shared)
    const others = random.sample(
      state.suspects.filter((s) => !s.shared),
      random.int(2, 6),
    )
    const members = [...figures, ...others]
    const memberIds = new Set<string>()
    let hasLeader = figures.some((f) => f.memberRole === 'LEADER')
    for (const member of members) {
      if (memberIds.has(member.id)) continue
      memberIds.add(member.id)
      let memberRole = member.memberRole ?? 'MEMBER'
      if (!hasLeader && !member.shared) {
        memberRole = 'LEADER'
        hasLeader = true
      }
      out.add('syndicate_members', [id, member.id, memberRole])
    }
    const linkedCases = new Set(members.map((m) => m.caseId))
    if (linkedCases.size === 0) linkedCases.add(anchor.id)
    for (const caseId of linkedCases) out.add('syndicate_cases', [id, caseId])
    const first = state.cases.reduce((a, b) => (a.createdMs <= b.createdMs ? a : b))
    const createdMs = first.createdMs + random.int(1, 30) * dayMs
    const version = Number(random.weighted(versionWeights))
    const updatedMs =
      version === 1
        ? createdMs
        : createdMs + Math.floor(random.float() * Math.max(0, asOfDay * dayMs - createdMs))
    this.syndicateSequence++
    out.add('syndicates', [
      id,
      this.agency.code,
      `${this.agency.code}/S/${String(this.syndicateSequence).padStart(6, '0')}`,
      random.weighted(tlpWeights),
      random.weighted(handlingCodes),
      isoTime(createdMs),
      isoTime(updatedMs),
      version,
      name,
      pgTextArray(aliases),
      random.weighted(syndicateStatuses),
      pgTextArray(countryList),
      syndicateDescription(
        category,
        countryList.map((c) => countryProfile(c).name),
        linkedCases.size,
      ),
      category,
    ])
    return { id, name }
  }

  private addReport(
    random: Random,
    state: BlockState,
    syndicate: { id: string; name: string },
    out: RowBatch,
  ): void {
    const id = random.uuid()
    const caseRef = random.pick(state.cases)
    const reportedDay = Math.min(caseRef.openedDay + random.int(0, 60), asOfDay)
    const reportedOn = isoDay(reportedDay)
    const createdMs = reportedDay * dayMs + random.int(8 * 3600, 18 * 3600) * 1000
    const version = Number(random.weighted(versionWeights))
    const updatedMs = version === 1 ? createdMs : createdMs + random.int(1, 20) * 3_600_000
    this.reportSequence++
    out.add('intel_reports', [
      id,
      this.agency.code,
      `${this.agency.code}/I/${reportedOn.slice(0, 4)}/${String(this.reportSequence).padStart(7, '0')}`,
      random.weighted(sensitiveTlpWeights),
      random.weighted(handlingCodes),
      isoTime(createdMs),
      isoTime(updatedMs),
      version,
      reportTitle(random, caseRef.place, syndicate.name),
      reportBody(random, caseRef.place, syndicate.name),
      random.weighted(sourceGradings),
      random.weighted(informationGradings),
      caseRef.category,
      reportedOn,
      monthOf(reportedOn),
    ])
    if (random.chance(0.6)) out.add('intel_subjects', [random.uuid(), id, null, null, syndicate.id])
    out.add('intel_subjects', [random.uuid(), id, caseRef.id, null, null])
    const persons = random.sample(state.suspects, random.int(0, 2))
    for (const person of persons) out.add('intel_subjects', [random.uuid(), id, null, person.id, null])
  }
}
