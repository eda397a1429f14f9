import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { type CountryCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max'
import mobileExamples from 'libphonenumber-js/mobile/examples'
import { describe, expect, it } from 'vitest'
import { type IdentifierKind, identifierKinds } from '../../../schema/vocabulary.ts'
import { JaringError } from '../../../services/node/errors.ts'
import { type NormaliseOptions, normaliseIdentifier } from '../../../services/node/matching/identifiers.ts'

const regionCountries: CountryCode[] = ['TH', 'VN', 'HK', 'MY', 'KH', 'MM', 'PH', 'ID', 'LA', 'SG', 'CN']

function expectIdempotent(kind: IdentifierKind, input: string, options?: NormaliseOptions): string {
  const { normalised } = normaliseIdentifier(kind, input, options)
  expect(normaliseIdentifier(kind, normalised, options).normalised).toBe(normalised)
  return normalised
}

const toFullWidth = (text: string) =>
  text.replace(/[0-9A-Za-z+]/g, (char) => String.fromCodePoint((char.codePointAt(0) ?? 0) + 0xfee0))

/** Mobile numbers of the region: the numbering plan's example with its last four digits drawn at random. */
const regionalMobile = fc
  .tuple(fc.constantFrom(...regionCountries), fc.integer({ min: 0, max: 9999 }))
  .map(([country, ending]) => {
    const example = getExampleNumber(country, mobileExamples)!
    const national = `${example.nationalNumber.slice(0, -4)}${String(ending).padStart(4, '0')}`
    return parsePhoneNumberFromString(`+${example.countryCallingCode}${national}`)!
  })
  .filter((phone) => phone.isValid())

describe('phone normalisation', () => {
  it('gives the E.164 number for every way of writing a valid mobile of the region, and is idempotent', () => {
    fc.assert(
      fc.property(regionalMobile, (phone) => {
        const country = phone.country!
        expect(expectIdempotent('PHONE', phone.number)).toBe(phone.number)
        expect(expectIdempotent('PHONE', phone.formatInternational())).toBe(phone.number)
        expect(expectIdempotent('PHONE', `00${phone.countryCallingCode}${phone.nationalNumber}`)).toBe(
          phone.number,
        )
        expect(expectIdempotent('PHONE', toFullWidth(phone.number))).toBe(phone.number)
        expect(expectIdempotent('PHONE', phone.formatNational(), { country })).toBe(phone.number)
        expect(normaliseIdentifier('PHONE', phone.formatNational(), { country }).issuingCountry).toBe(country)
      }),
    )
  })
})

describe('e-mail normalisation', () => {
  it('accepts generated addresses in any case, giving the lower-case address', () => {
    const address = fc.emailAddress().filter((email) => email.length <= 200)
    const caseMask = fc.array(fc.boolean(), { minLength: 200, maxLength: 200 })
    fc.assert(
      fc.property(address, caseMask, (email, upper) => {
        const mixed = [...email].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('')
        expect(expectIdempotent('EMAIL', mixed)).toBe(email.toLowerCase())
      }),
    )
  })
})

function luhnCheckDigit(digits: string): string {
  let sum = 0
  for (const [i, char] of [...digits].reverse().entries()) {
    const doubled = i % 2 === 0 ? Number(char) * 2 : Number(char)
    sum += doubled > 9 ? doubled - 9 : doubled
  }
  return String((10 - (sum % 10)) % 10)
}

describe('IMEI normalisation', () => {
  it('accepts 14 digits with their Luhn check digit, whatever the separators', () => {
    const body = fc.stringMatching(/^\d{14}$/)
    const separators = fc.array(fc.constantFrom('', ' ', '-', '.', '/'), { minLength: 15, maxLength: 15 })
    fc.assert(
      fc.property(body, separators, (digits, between) => {
        const imei = digits + luhnCheckDigit(digits)
        const written = [...imei].map((digit, i) => (i === 0 ? digit : between[i] + digit)).join('')
        expect(expectIdempotent('IMEI', written)).toBe(imei)
        const wrongCheck = digits + String((Number(luhnCheckDigit(digits)) + 1) % 10)
        expect(() => normaliseIdentifier('IMEI', wrongCheck)).toThrow(/Luhn/)
      }),
    )
  })
})

const base58Alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest()

function base58CheckEncode(version: number, payload: Uint8Array): string {
  const body = Buffer.concat([Buffer.from([version]), payload])
  const bytes = Buffer.concat([body, sha256(sha256(body)).subarray(0, 4)])
  let number = BigInt(`0x${bytes.toString('hex')}`)
  let text = ''
  for (; number > 0n; number /= 58n) text = base58Alphabet[Number(number % 58n)] + text
  for (const byte of bytes) {
    if (byte !== 0) break
    text = `1${text}`
  }
  return text
}

/** BIP 173 / BIP 350 reference encoding of a mainnet segwit address. */
function segwitEncode(version: number, program: Uint8Array): string {
  const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
  const polymod = (values: number[]) => {
    let checksum = 1
    for (const value of values) {
      const top = checksum >>> 25
      checksum = ((checksum & 0x1ffffff) << 5) ^ value
      for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= generators[i]!
    }
    return checksum
  }
  const words = [version]
  let accumulator = 0
  let bits = 0
  for (const byte of program) {
    accumulator = (accumulator << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      words.push((accumulator >> bits) & 31)
    }
  }
  if (bits > 0) words.push((accumulator << (5 - bits)) & 31)
  const constant = version === 0 ? 1 : 0x2bc830a3
  const values = [3, 3, 0, 2, 3, ...words, 0, 0, 0, 0, 0, 0]
  const modulus = polymod(values) ^ constant
  const checksum = Array.from({ length: 6 }, (_, i) => (modulus >> (5 * (5 - i))) & 31)
  return `bc1${[...words, ...checksum].map((word) => alphabet[word]).join('')}`
}

describe('crypto wallet normalisation', () => {
  const hash20 = fc.uint8Array({ minLength: 20, maxLength: 20 })
  const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

  it('lower-cases EVM addresses written in any case', () => {
    fc.assert(
      fc.property(hash20, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (bytes, upper) => {
        const hex = Buffer.from(bytes).toString('hex')
        const written = `0x${[...hex].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('')}`
        expect(expectIdempotent('CRYPTO_WALLET', written)).toBe(`0x${hex}`)
      }),
    )
  })

  it('accepts base58check TRON and Bitcoin addresses as they are, and rejects a changed character', () => {
    fc.assert(
      fc.property(hash20, fc.constantFrom(0x41, 0x00, 0x05), fc.nat(), (bytes, version, position) => {
        const address = base58CheckEncode(version, bytes)
        expect(expectIdempotent('CRYPTO_WALLET', address)).toBe(address)
        const at = 1 + (position % (address.length - 1))
        const replacement = address[at] === 'z' ? 'y' : 'z'
        const altered = address.slice(0, at) + replacement + address.slice(at + 1)
        expect(() => normaliseIdentifier('CRYPTO_WALLET', altered)).toThrow(JaringError)
      }),
    )
  })

  it('accepts bech32 (version 0) and bech32m (version 1) addresses in either case', () => {
    const segwit = fc.oneof(
      hash20.map((program) => segwitEncode(0, program)),
      hash32.map((program) => segwitEncode(0, program)),
      hash32.map((program) => segwitEncode(1, program)),
    )
    fc.assert(
      fc.property(segwit, (address) => {
        expect(expectIdempotent('CRYPTO_WALLET', address)).toBe(address)
        expect(expectIdempotent('CRYPTO_WALLET', address.toUpperCase())).toBe(address)
      }),
    )
  })
})

describe('any input', () => {
  const kind = fc.constantFrom(...identifierKinds)
  const country = fc.option(fc.constantFrom('TH', 'VN', 'HK', 'MY', 'th', 'XX', 'T1', 'THA', ''), {
    nil: undefined,
  })
  const regionalText = fc.string({
    unit: fc.constantFrom(
      ...'0123456789+-.()/ :@_~?=#abcxyzABCTXbc1qpzry９０８๐๘ก่ขำ陈\u0301\u200b\u202a',
      '0x',
      '00',
      '+66 8',
      '081',
      '(852) 9',
      '+84 9',
      'bc1',
      't.me/',
      'facebook.com/',
      'telegram:',
      'SCB:',
      'GB82',
      '@gmail.com',
    ),
    maxLength: 60,
  })
  const anything = fc.oneof(fc.string({ unit: 'binary', maxLength: 250 }), regionalText)

  it('either gives an idempotent normalised value or throws INVALID_IDENTIFIER, nothing else', () => {
    fc.assert(
      fc.property(kind, anything, country, (kindOf, input, countryOf) => {
        const options = countryOf === undefined ? undefined : { country: countryOf }
        let normalised: string
        try {
          normalised = normaliseIdentifier(kindOf, input, options).normalised
        } catch (error) {
          expect(error).toBeInstanceOf(JaringError)
          expect((error as JaringError).code).toBe('INVALID_IDENTIFIER')
          return
        }
        expect(normaliseIdentifier(kindOf, normalised, options).normalised).toBe(normalised)
        expect(normalised.length).toBeLessThanOrEqual(200)
      }),
      { numRuns: 2000 },
    )
  })
})
