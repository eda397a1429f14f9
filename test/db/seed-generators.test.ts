import { describe, expect, test } from 'vitest'
import { demoAgencies, seedAgency } from '../../db/seed/agencies.ts'
import {
  bankAccount,
  countryProfiles,
  formatPhone,
  mobileNumber,
  type PhoneFormat,
} from '../../db/seed/countries.ts'
import { sharedFigures, sharedFiguresFor } from '../../db/seed/figures.ts'
import { RowBatch, SeedGenerator } from '../../db/seed/generate.ts'
import { emailAddress, imei, randomWallet, socialHandle, walletAddress } from '../../db/seed/identifiers.ts'
import { cultures, personNames } from '../../db/seed/names.ts'
import { Random } from '../../db/seed/random.ts'
import { normaliseIdentifier } from '../../services/node/matching/identifiers.ts'
import { nameTokens } from '../../services/node/matching/names.ts'

const profiles = Object.values(countryProfiles)
const formats: PhoneFormat[] = ['international', 'national', 'e164', 'idd']

describe('seeded random source', () => {
  test('the same parts give the same stream, other parts another', () => {
    const draw = (...parts: string[]) => {
      const random = new Random(...parts)
      return [random.uuid(), random.next(), random.digits(12)]
    }
    expect(draw('s', 'TH-RTP', '0')).toEqual(draw('s', 'TH-RTP', '0'))
    expect(draw('s', 'TH-RTP', '0')).not.toEqual(draw('s', 'TH-RTP', '1'))
    expect(draw('s', 'TH-RTP', '0')).not.toEqual(draw('t', 'TH-RTP', '0'))
  })

  test('uuids are version 4, variant 1, and do not repeat', () => {
    const random = new Random('uuids')
    const seen = new Set<string>()
    for (let i = 0; i < 20_000; i++) {
      const id = random.uuid()
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      seen.add(id)
    }
    expect(seen.size).toBe(20_000)
  })
})

describe('identifier values pass the node’s normalisation', () => {
  test.each(profiles.map((p) => [p.code, p] as const))('%s mobile numbers in every format', (_, profile) => {
    const random = new Random('phones', profile.code)
    for (const reserved of [false, true]) {
      const prefixes = reserved ? profile.reservedMobilePrefixes : profile.mobilePrefixes
      for (let i = 0; i < prefixes.length * 40; i++) {
        const number = mobileNumber(random, profile, reserved)
        const e164 = `+${profile.callingCode}${number}`
        for (const format of formats) {
          const result = normaliseIdentifier('PHONE', formatPhone(profile, number, format), {
            country: profile.code,
          })
          expect(result.normalised).toBe(e164)
          expect(result.issuingCountry).toBe(profile.code)
        }
      }
    }
  })

  test('reserved mobile prefixes (for the shared figures) are never drawn for anyone else', () => {
    for (const profile of profiles) {
      for (const reserved of profile.reservedMobilePrefixes) {
        for (const prefix of profile.mobilePrefixes) {
          expect(
            reserved.startsWith(prefix) || prefix.startsWith(reserved),
            `${profile.code} ${reserved}`,
          ).toBe(false)
        }
      }
    }
  })

  test.each(profiles.map((p) => [p.code, p] as const))(
    '%s passports, national ids, bank accounts and plates',
    (_, profile) => {
      const random = new Random('documents', profile.code)
      const ordinary = new Set<string>()
      const reserved = new Set<string>()
      for (let i = 0; i < 300; i++) {
        ordinary.add(
          normaliseIdentifier('PASSPORT', profile.passport(random, false), { country: profile.code })
            .normalised,
        )
        reserved.add(
          normaliseIdentifier('PASSPORT', profile.passport(random, true), { country: profile.code })
            .normalised,
        )
        const female = random.chance(0.5)
        const facts = {
          birthYear: random.int(1950, 2008),
          birthMonth: random.int(1, 12),
          birthDay: random.int(1, 28),
          female,
        }
        if (profile.nationalId)
          normaliseIdentifier('NATIONAL_ID', profile.nationalId(random, facts), { country: profile.code })
        expect(normaliseIdentifier('BANK_ACCOUNT', bankAccount(random, profile)).normalised).toMatch(
          /^[A-Z0-9]+:[A-Z0-9]{6,34}$/,
        )
        normaliseIdentifier('VEHICLE_PLATE', profile.plate(random), { country: profile.code })
      }
      // The reserved series (the shared figures') starts differently from the ordinary one.
      const starts = (numbers: Set<string>) => new Set([...numbers].map((n) => n.slice(0, 2)))
      for (const start of starts(reserved)) expect(starts(ordinary).has(start), start).toBe(false)
    },
  )

  test('e-mail addresses, social handles, wallets and IMEIs', () => {
    const random = new Random('online')
    for (let i = 0; i < 2_000; i++) {
      const names = personNames(random.pick(cultures), random, random.chance(0.5) ? 'MALE' : 'FEMALE')
      const name = random.chance(0.5) ? names.primary : names.alias
      normaliseIdentifier('EMAIL', emailAddress(random, name, ['gmail.com', 'yahoo.com.hk']))
      for (const platform of [
        'telegram',
        'facebook',
        'line',
        'wechat',
        'tiktok',
        'instagram',
        'zalo',
      ] as const) {
        expect(normaliseIdentifier('SOCIAL_HANDLE', socialHandle(random, name, platform)).normalised).toMatch(
          new RegExp(`^${platform}:`),
        )
      }
      normaliseIdentifier('CRYPTO_WALLET', randomWallet(random))
      expect(walletAddress(random, 'TRON')).toMatch(/^T/)
      expect(normaliseIdentifier('IMEI', imei(random)).normalised).toMatch(/^\d{15}$/)
    }
  })
})

describe('names', () => {
  test('every culture gives distinct spellings of one name, in its script', () => {
    const random = new Random('names')
    for (const culture of cultures) {
      for (let i = 0; i < 200; i++) {
        const names = personNames(culture, random, i % 2 === 0 ? 'MALE' : 'FEMALE')
        const spellings = names.spellings.map((s) => s.fullName)
        expect(new Set(spellings).size, `${culture}: ${spellings.join(' | ')}`).toBe(spellings.length)
        expect(spellings.length).toBeGreaterThanOrEqual(3)
        expect(nameTokens(names.primary.fullName, names.primary.romanised).length).toBeGreaterThan(0)
      }
    }
    const thai = personNames('thai', random, 'MALE').primary
    expect(thai.script).toBe('Thai')
    expect(thai.romanised).toMatch(/^[A-Za-z ]+$/)
    const hongKong = personNames('cantonese', random, 'MALE').primary
    expect(hongKong.script).toBe('Hani')
    expect(hongKong.romanised).toMatch(/^[A-Z]+ [A-Z][a-z]+( [A-Z][a-z]+)?$/)
  })
})

describe('shared regional figures', () => {
  const figures = sharedFigures()

  test('are the same pool in every call, held by two or three demo agencies', () => {
    expect(sharedFigures()).toBe(figures)
    expect(figures.length).toBeGreaterThanOrEqual(40)
    const codes = demoAgencies.map((a) => a.code)
    for (const figure of figures) {
      expect(figure.agencies.length).toBeGreaterThanOrEqual(2)
      for (const agency of figure.agencies) expect(codes).toContain(agency)
    }
  })

  test('each agency writes them differently, and the node normalises the writings to one value', () => {
    const phones = new Set<string>()
    for (const figure of figures) {
      expect(new Set(figure.phone.values).size).toBe(figure.phone.values.length)
      expect(new Set(figure.passport.values).size).toBe(figure.passport.values.length)
      expect(new Set(figure.spellings.map((s) => s.fullName)).size).toBe(figure.spellings.length)
      for (const value of figure.phone.values) {
        expect(normaliseIdentifier('PHONE', value, { country: figure.phone.country }).normalised).toBe(
          figure.phone.e164,
        )
      }
      for (const value of figure.passport.values) {
        expect(normaliseIdentifier('PASSPORT', value, { country: figure.passport.country }).normalised).toBe(
          figure.passport.number,
        )
      }
      for (const value of figure.telegram?.values ?? []) {
        expect(normaliseIdentifier('SOCIAL_HANDLE', value).normalised).toBe(
          `telegram:${figure.telegram?.username}`,
        )
      }
      expect(normaliseIdentifier('CRYPTO_WALLET', figure.wallet).normalised).toBe(figure.wallet)
      phones.add(figure.phone.e164)
    }
    expect(phones.size).toBe(figures.length)
  })

  test('an agency outside the demo federation holds the figures of its country', () => {
    const records = sharedFiguresFor('MY-RMP')
    expect(records.length).toBeGreaterThan(0)
    for (const record of records) expect(record.figure.countries).toContain('MY')
    expect(sharedFiguresFor('MY-RMP')).toEqual(records)
  })
})

describe('generator', () => {
  test('agency codes need a known country', () => {
    expect(seedAgency('TH-RTP').name).toBe('Royal Thai Police')
    expect(seedAgency('MY-RMP').country).toBe('MY')
    expect(() => seedAgency('XX-ABC')).toThrow(/no synthetic data for country XX/)
    expect(() => seedAgency('th-rtp')).toThrow(/must look like/)
  })

  test('rows depend on seed, agency and block only, not on how they are chunked', () => {
    const all = (agency: string, seed: string, blocksPerBatch: number) => {
      const generator = new SeedGenerator({ agency, cases: 120, seed })
      const tables = ['cases', 'persons', 'identifiers', 'syndicate_members'] as const
      const out = Object.fromEntries(tables.map((t) => [t, ''])) as Record<(typeof tables)[number], string>
      let batch = new RowBatch()
      let blocks = 0
      const drain = () => {
        for (const table of tables) out[table] += batch.csv(table)
        batch = new RowBatch()
      }
      while (generator.generateNextBlock(batch) > 0) if (++blocks % blocksPerBatch === 0) drain()
      drain()
      // Each batch is in key order; the rows themselves are what must not change.
      return Object.values(out)
        .map((csv) => csv.split('\n').sort().join('\n'))
        .join('')
    }
    expect(all('VN-MPS', 'a', 1)).toBe(all('VN-MPS', 'a', 4))
    expect(all('VN-MPS', 'a', 1)).not.toBe(all('VN-MPS', 'b', 1))
    expect(all('VN-MPS', 'a', 1)).not.toBe(all('HK-HKPF', 'a', 1))
  })
})
