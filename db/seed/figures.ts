/**
 * The regional syndicate figures: one fixed pool for the whole federation, derived from a constant
 * seed (never from an agency's seed), so that every agency's synthetic data holds its own record of
 * the same people. Each agency spells them its own way (another romanisation, diacritics dropped,
 * family name first or last) and writes their phone and passport in its own format: the stored
 * values differ, the normalised values are equal, and a federated search has real hits to find.
 */
import type { Gender, SyndicateMemberRole } from '../../schema/vocabulary.ts'
import { demoAgencies } from './agencies.ts'
import { countryProfile, formatPhone, mobileNumber, type PhoneFormat } from './countries.ts'
import { telegramSpellings, telegramUsername, walletAddress } from './identifiers.ts'
import { type NameForm, personNames } from './names.ts'
import { Random, type Weights } from './random.ts'

export interface SharedFigure {
  /** A stable key for tests and documentation: `RF-01` ... */
  key: string
  nationality: string
  gender: Gender
  dateOfBirth: string
  role: SyndicateMemberRole
  /** Where the figure operates; an agency outside the demo federation knows the figures of its country. */
  countries: readonly string[]
  /** The demo agencies whose records hold the figure (two or three). */
  agencies: readonly string[]
  /** One spelling of the name per agency slot (the figure's position in `agencies`); all distinct. */
  spellings: readonly NameForm[]
  phone: {
    country: string
    /** The normalised form (E.164). */
    e164: string
    /** The number as each agency slot writes it; all distinct. */
    values: readonly string[]
  }
  passport: {
    country: string
    /** The normalised form. */
    number: string
    values: readonly string[]
  }
  /** A TRON (USDT) address, case-sensitive, so the same in every record. */
  wallet: string
  /** A Telegram username; a third of the figures have none. */
  telegram: { username: string; values: readonly string[] } | null
}

/** How one agency records one figure. */
export interface FigureRecord {
  figure: SharedFigure
  name: NameForm
  phone: string
  passport: string
  /** The Telegram account as this agency writes it, when the figure has one. */
  telegram: string | null
}

const federationSeed = 'jaring-regional-figures-v1'
const sharedFigureCount = 48

const nationalities: Weights<string> = {
  CN: 30,
  TW: 8,
  MY: 10,
  TH: 12,
  VN: 12,
  HK: 6,
  MM: 8,
  KH: 6,
  PH: 4,
  ID: 4,
}
const hubs = ['KH', 'MM', 'LA', 'PH', 'TH', 'MY']
const roles: Weights<SyndicateMemberRole> = { LEADER: 2, FACILITATOR: 3, MONEY_MULE: 2, MEMBER: 3 }
const phoneFormats: readonly PhoneFormat[] = ['international', 'national', 'e164']

function passportSpellings(number: string): string[] {
  return [
    number,
    `${number.slice(0, 2)} ${number.slice(2)}`,
    /[A-Z]/.test(number) ? number.toLowerCase() : `${number.slice(0, 3)}-${number.slice(3)}`,
  ]
}

function makeFigure(index: number): SharedFigure {
  const random = new Random(federationSeed, index)
  const nationality = random.weighted(nationalities)
  const profile = countryProfile(nationality)
  const gender: Gender = random.chance(0.8) ? 'MALE' : 'FEMALE'
  const names = personNames(random.weighted(profile.cultures), random, gender)
  const year = random.int(1968, 1998)
  const dateOfBirth = `${year}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`
  const countries = [
    nationality,
    ...random.sample(
      hubs.filter((c) => c !== nationality),
      random.int(1, 3),
    ),
  ]
  const codes = demoAgencies.map((agency) => agency.code)
  const agencies = random.chance(0.4) ? random.sample(codes, 3) : random.sample(codes, 2)
  const phoneCountry = countryProfile(random.pick(countries))
  const nationalNumber = mobileNumber(random, phoneCountry, true)
  const offset = index % phoneFormats.length
  const passportNumber = profile.passport(random, true)
  const wallet = walletAddress(random, 'TRON')
  const username = random.chance(2 / 3) ? telegramUsername(random, names.spellings[1] ?? names.primary) : null
  return {
    key: `RF-${String(index + 1).padStart(2, '0')}`,
    nationality,
    gender,
    dateOfBirth,
    role: random.weighted(roles),
    countries,
    agencies,
    spellings: names.spellings,
    phone: {
      country: phoneCountry.code,
      e164: `+${phoneCountry.callingCode}${nationalNumber}`,
      values: phoneFormats.map((_, slot) =>
        formatPhone(
          phoneCountry,
          nationalNumber,
          phoneFormats[(offset + slot) % phoneFormats.length] as PhoneFormat,
        ),
      ),
    },
    passport: { country: nationality, number: passportNumber, values: passportSpellings(passportNumber) },
    wallet,
    telegram: username ? { username, values: telegramSpellings(username) } : null,
  }
}

let pool: readonly SharedFigure[] | undefined

/** The federation-wide pool of shared figures, the same in every process. */
export function sharedFigures(): readonly SharedFigure[] {
  pool ??= Object.freeze(Array.from({ length: sharedFigureCount }, (_, index) => makeFigure(index)))
  return pool
}

/** The figures an agency's data holds, each as that agency spells and writes it. */
export function sharedFiguresFor(agency: string): FigureRecord[] {
  const country = agency.slice(0, 2)
  const isDemo = demoAgencies.some((demo) => demo.code === agency)
  const records: FigureRecord[] = []
  for (const figure of sharedFigures()) {
    let slot: number
    if (isDemo) {
      slot = figure.agencies.indexOf(agency)
      if (slot < 0) continue
    } else {
      if (!figure.countries.includes(country)) continue
      slot = new Random(federationSeed, figure.key, agency).int(0, 2)
    }
    records.push({
      figure,
      name: figure.spellings[slot] ?? (figure.spellings[0] as NameForm),
      phone: figure.phone.values[slot] as string,
      passport: figure.passport.values[slot] as string,
      telegram: figure.telegram?.values[slot] ?? null,
    })
  }
  return records
}
