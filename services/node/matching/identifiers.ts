/**
 * Identifier normalisation: one canonical form per identifier so that the same phone, passport or
 * wallet written differently by two agencies matches exactly on (kind, normalised). Pure: no I/O.
 * The rules per kind are described for operators in docs/matching.md.
 */
import { createHash } from 'node:crypto'
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max'
import type { IdentifierKind } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'

export interface NormalisedIdentifier {
  kind: IdentifierKind
  /** The input, trimmed and without invisible formatting characters, otherwise as given. */
  value: string
  /** The canonical form used for matching. */
  normalised: string
  /** ISO 3166-1 alpha-2, or null when unknown. */
  issuingCountry: string | null
}

export interface NormaliseOptions {
  /**
   * ISO 3166-1 alpha-2 default region: the country of a phone number written in national format,
   * and the issuing country of passports, national ids and vehicle plates.
   */
  country?: string
}

export const maxIdentifierLength = 200

const kindLabels: Record<IdentifierKind, string> = {
  PASSPORT: 'passport number',
  NATIONAL_ID: 'national id number',
  PHONE: 'phone number',
  EMAIL: 'e-mail address',
  SOCIAL_HANDLE: 'social media handle',
  BANK_ACCOUNT: 'bank account number',
  CRYPTO_WALLET: 'crypto wallet address',
  IMEI: 'IMEI',
  VEHICLE_PLATE: 'vehicle plate',
}

function invalid(kind: IdentifierKind, reason: string, path = 'value'): JaringError {
  return new JaringError('INVALID_IDENTIFIER', {
    detail: `Not a valid ${kindLabels[kind]}: ${reason}.`,
    path,
    extra: { kind },
  })
}

/**
 * Bidi embeddings and zero-width characters ride along when numbers are copied from chat apps
 * (WhatsApp wraps phone numbers in U+202A ... U+202C); they carry no identity and could make a
 * displayed value read differently from what is stored, so they are removed.
 */
const invisibleFormatting = /\p{Cf}/gu
const controlCharacter = /\p{Cc}/u
/** Thai, Lao, Myanmar, Myanmar Shan and Khmer digits: each block starts at a code point ending in 0. */
const regionalDigits = /[\u0E50-\u0E59\u0ED0-\u0ED9\u1040-\u1049\u1090-\u1099\u17E0-\u17E9]/g

function foldRegionalDigits(text: string): string {
  return text.replace(regionalDigits, (digit) => String((digit.codePointAt(0) ?? 0) & 0xf))
}

function countryOption(kind: IdentifierKind, options: NormaliseOptions | undefined): string | null {
  const country = options?.country?.trim().toUpperCase()
  if (!country) return null
  if (!/^[A-Z]{2}$/.test(country)) {
    throw invalid(kind, 'the country must be an ISO 3166-1 alpha-2 code such as TH', 'country')
  }
  return country
}

type Rule = (text: string, country: string | null) => { normalised: string; issuingCountry: string | null }

const phoneCharacters = /^\+?[0-9\s\-./()]+$/

function normalisePhone(
  text: string,
  country: string | null,
): { normalised: string; issuingCountry: string | null } {
  const kind = 'PHONE'
  const compact = text.replace(/\p{Pd}/gu, '-')
  if (!phoneCharacters.test(compact)) {
    throw invalid(
      kind,
      'it may hold only digits, a leading +, spaces and - . ( ) / (no letters or extensions)',
    )
  }
  const digits = compact.replace(/\D/g, '')
  const defaultCountry = country && isSupportedCountry(country) ? country : undefined
  // "00" is the international prefix in most of the region; a default region's own carrier
  // prefixes (Thailand's 001/006/...) would otherwise swallow the country code.
  const candidates: string[] = []
  if (!compact.startsWith('+') && /^00[1-9]/.test(digits)) candidates.push(`+${digits.slice(2)}`)
  candidates.push(compact)
  if (/^\(\s*[1-9]\d{0,2}\s*\)/.test(compact)) candidates.push(`+${digits}`)
  let parsedAny = false
  for (const candidate of candidates) {
    if (!candidate.startsWith('+') && !defaultCountry) continue
    const parsed = parsePhoneNumberFromString(candidate, { defaultCountry, extract: false })
    if (!parsed) continue
    parsedAny = true
    if (parsed.isValid()) return { normalised: parsed.number, issuingCountry: parsed.country ?? null }
  }
  if (!parsedAny && !defaultCountry && !compact.startsWith('+')) {
    throw invalid(kind, 'write it with + and the country code, or give the country it is dialled in')
  }
  throw invalid(kind, 'it does not fit the numbering plan of its country')
}

function normalisePassport(text: string, country: string | null) {
  const normalised = text.toUpperCase().replace(/[\s\p{Pd}]/gu, '')
  if (!/^[A-Z0-9]{6,9}$/.test(normalised)) {
    throw invalid('PASSPORT', 'a passport number has 6 to 9 letters and digits (ICAO 9303)')
  }
  return { normalised, issuingCountry: country }
}

function hasThaiCheckDigit(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (13 - i)
  return (11 - (sum % 11)) % 10 === Number(digits[12])
}

/** HKID: the letters count A=10 ... Z=35 and a missing second letter counts 36; the check digit A is 10. */
function hasHongKongCheckDigit(id: string): boolean {
  const body = id.length === 8 ? ` ${id.slice(0, 7)}` : id.slice(0, 8)
  const value = (char: string) => (char === ' ' ? 36 : Number.parseInt(char, 36))
  let sum = 0
  for (let i = 0; i < 8; i++) sum += value(body[i]!) * (9 - i)
  const check = id.at(-1)!
  return (sum + (check === 'A' ? 10 : Number(check))) % 11 === 0
}

function normaliseNationalId(text: string, country: string | null) {
  const kind = 'NATIONAL_ID'
  const normalised = text.toUpperCase().replace(/[\s\p{Pd}./()]/gu, '')
  switch (country) {
    case 'TH':
      if (!/^\d{13}$/.test(normalised)) throw invalid(kind, 'a Thai national id has 13 digits')
      if (!hasThaiCheckDigit(normalised))
        throw invalid(kind, 'the check digit of the Thai national id is wrong')
      break
    case 'VN':
      if (!/^(\d{12}|\d{9})$/.test(normalised)) {
        throw invalid(kind, 'a Vietnamese id has 12 digits (CCCD) or 9 digits (older CMND)')
      }
      break
    case 'HK':
      if (!/^[A-Z]{1,2}\d{6}[0-9A]$/.test(normalised)) {
        throw invalid(kind, 'a Hong Kong identity card number is 1 or 2 letters, 6 digits and a check digit')
      }
      if (!hasHongKongCheckDigit(normalised)) {
        throw invalid(kind, 'the check digit of the Hong Kong identity card number is wrong')
      }
      break
    default:
      if (!/^[A-Z0-9]{5,20}$/.test(normalised)) throw invalid(kind, 'it must have 5 to 20 letters and digits')
  }
  return { normalised, issuingCountry: country }
}

const emailLocalPart = /^[^\s@"(),:;<>[\]\\]{1,64}$/u
const domainLabel = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u

function normaliseEmail(text: string) {
  const kind = 'EMAIL'
  const normalised = text.toLowerCase()
  const parts = normalised.split('@')
  if (parts.length !== 2) throw invalid(kind, 'it must contain exactly one @')
  const [local, domain] = parts as [string, string]
  if (!emailLocalPart.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw invalid(
      kind,
      'the part before the @ is empty, too long or holds spaces or characters such as " , ; < >',
    )
  }
  const labels = domain.split('.')
  const topLevel = labels.at(-1) ?? ''
  if (
    labels.length < 2 ||
    !labels.every((label) => domainLabel.test(label)) ||
    !/^(\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]+)$/u.test(topLevel)
  ) {
    throw invalid(kind, 'the domain after the @ must be a name with a dot, such as example.com')
  }
  return { normalised, issuingCountry: null }
}

export const socialPlatforms = [
  'telegram',
  'facebook',
  'line',
  'wechat',
  'tiktok',
  'instagram',
  'x',
  'zalo',
  'signal',
] as const
export type SocialPlatform = (typeof socialPlatforms)[number]

const platformNames: Record<string, SocialPlatform> = {
  telegram: 'telegram',
  tg: 'telegram',
  facebook: 'facebook',
  fb: 'facebook',
  line: 'line',
  wechat: 'wechat',
  weixin: 'wechat',
  tiktok: 'tiktok',
  instagram: 'instagram',
  ig: 'instagram',
  x: 'x',
  twitter: 'x',
  zalo: 'zalo',
  signal: 'signal',
}

const platformHosts: Record<string, SocialPlatform> = {
  't.me': 'telegram',
  'telegram.me': 'telegram',
  'telegram.dog': 'telegram',
  'facebook.com': 'facebook',
  'fb.com': 'facebook',
  'instagram.com': 'instagram',
  'tiktok.com': 'tiktok',
  'x.com': 'x',
  'twitter.com': 'x',
  'line.me': 'line',
  'zalo.me': 'zalo',
}

/** What each platform allows in a handle, lower-cased; lengths are generous to keep legacy handles. */
const handlePatterns: Record<SocialPlatform, RegExp> = {
  telegram: /^[a-z0-9_]{3,32}$/,
  facebook: /^[a-z0-9.]{1,50}$/,
  line: /^[a-z0-9._-]{1,20}$/,
  wechat: /^[a-z0-9_-]{1,20}$/,
  tiktok: /^[a-z0-9._]{1,24}$/,
  instagram: /^[a-z0-9._]{1,30}$/,
  x: /^[a-z0-9_]{1,15}$/,
  zalo: /^[a-z0-9._]{1,40}$/,
  signal: /^[a-z0-9._]{1,40}$/,
}

const profileUrl =
  /^(?:https?:\/\/)?(?:(?:www|m|mobile|web)\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/

function handleFromUrl(platform: SocialPlatform, path: string, query: string): string | null {
  if (platform === 'facebook' && /^\/profile\.php\/?$/.test(path)) {
    return new URLSearchParams(query).get('id')
  }
  if (platform === 'line') return /^\/(?:r\/)?ti\/p\/[~@]?([^/]+)\/?$/.exec(path)?.[1] ?? null
  return /^\/@?([^/]+)\/?$/.exec(path)?.[1] ?? null
}

function normaliseSocialHandle(text: string) {
  const kind = 'SOCIAL_HANDLE'
  const lower = text.toLowerCase()
  const whatsApp = 'WhatsApp accounts are phone numbers: record them as PHONE'
  let platform: SocialPlatform | undefined
  let handle: string | null = null
  const url = profileUrl.exec(lower)
  const namedPlatform = /^([a-z]+)\s*:\s*(.*)$/.exec(lower)
  if (url && (url[2] || lower.includes('://'))) {
    const host = url[1]!
    if (host === 'wa.me' || host.endsWith('whatsapp.com')) throw invalid(kind, whatsApp)
    platform = platformHosts[host]
    if (!platform)
      throw invalid(kind, `${host} is not a platform this node knows (${socialPlatforms.join(', ')})`)
    handle = handleFromUrl(platform, url[2] ?? '', url[3] ?? '')
  } else if (namedPlatform) {
    if (namedPlatform[1] === 'whatsapp') throw invalid(kind, whatsApp)
    platform = platformNames[namedPlatform[1]!]
    if (!platform) {
      throw invalid(
        kind,
        `"${namedPlatform[1]}" is not a platform this node knows (${socialPlatforms.join(', ')})`,
      )
    }
    handle = namedPlatform[2]!.replace(/^@/, '')
  } else {
    throw invalid(
      kind,
      'name the platform, as in telegram:@name, or give the profile address, as in t.me/name',
    )
  }
  // Facebook ignores the dots in a username: some.name and somename are the same profile.
  if (platform === 'facebook' && handle) handle = handle.replaceAll('.', '')
  if (!handle || !handlePatterns[platform].test(handle)) {
    throw invalid(kind, `the handle does not have the form ${platform} allows`)
  }
  return { normalised: `${platform}:${handle}`, issuingCountry: null }
}

function ibanChecksumIsValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const char of rearranged) {
    const value = Number.parseInt(char, 36)
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97
  }
  return remainder === 1
}

function normaliseBankAccount(text: string) {
  const kind = 'BANK_ACCOUNT'
  const upper = text.toUpperCase()
  const prefixed = /^([A-Z0-9]{2,11})\s*:\s*(.*)$/.exec(upper)
  const bank = prefixed ? prefixed[1] : null
  const account = (prefixed ? prefixed[2]! : upper).replace(/[\s\p{Pd}.]/gu, '')
  if (!/^[A-Z0-9]{6,34}$/.test(account)) {
    throw invalid(
      kind,
      'an account number has 6 to 34 letters and digits, optionally after a bank code as in SCB:',
    )
  }
  if (/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(account) && !ibanChecksumIsValid(account)) {
    throw invalid(kind, 'it has the shape of an IBAN but its check digits are wrong')
  }
  return { normalised: bank ? `${bank}:${account}` : account, issuingCountry: null }
}

const base58Alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

function base58Decode(text: string): Uint8Array | null {
  let number = 0n
  for (const char of text) {
    const digit = base58Alphabet.indexOf(char)
    if (digit < 0) return null
    number = number * 58n + BigInt(digit)
  }
  const bytes: number[] = []
  for (; number > 0n; number >>= 8n) bytes.unshift(Number(number & 0xffn))
  for (const char of text) {
    if (char !== '1') break
    bytes.unshift(0)
  }
  return Uint8Array.from(bytes)
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest()

/** A base58check payload of 21 bytes (version + 20-byte hash) whose version is one of `versions`. */
function isBase58CheckAddress(text: string, versions: number[]): boolean {
  const bytes = base58Decode(text)
  if (bytes?.length !== 25 || !versions.includes(bytes[0]!)) return false
  const checksum = sha256(sha256(bytes.subarray(0, 21)))
  return checksum.subarray(0, 4).equals(bytes.subarray(21))
}

const bech32Alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const bech32Generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
const bech32Constant = 1
const bech32mConstant = 0x2bc830a3

function bech32Polymod(values: number[]): number {
  let checksum = 1
  for (const value of values) {
    const top = checksum >>> 25
    checksum = ((checksum & 0x1ffffff) << 5) ^ value
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= bech32Generators[i]!
  }
  return checksum
}

/** A Bitcoin mainnet segwit address (BIP 173 bech32 for version 0, BIP 350 bech32m for later versions). */
function isSegwitAddress(address: string): boolean {
  if (address.length > 90 || !address.startsWith('bc1')) return false
  const data: number[] = []
  for (const char of address.slice(3)) {
    const value = bech32Alphabet.indexOf(char)
    if (value < 0) return false
    data.push(value)
  }
  if (data.length < 7) return false
  const hrp = [...'bc'].map((char) => char.charCodeAt(0))
  const expanded = [...hrp.map((code) => code >> 5), 0, ...hrp.map((code) => code & 31), ...data]
  const version = data[0]!
  if (version > 16 || bech32Polymod(expanded) !== (version === 0 ? bech32Constant : bech32mConstant))
    return false
  let accumulator = 0
  let bits = 0
  let programLength = 0
  for (const value of data.slice(1, -6)) {
    accumulator = (accumulator << 5) | value
    bits += 5
    if (bits >= 8) {
      bits -= 8
      programLength++
      accumulator &= (1 << bits) - 1
    }
  }
  if (bits >= 5 || accumulator !== 0) return false
  if (version === 0) return programLength === 20 || programLength === 32
  return programLength >= 2 && programLength <= 40
}

function normaliseCryptoWallet(text: string) {
  const kind = 'CRYPTO_WALLET'
  if (/^0x[0-9a-f]{40}$/i.test(text)) return { normalised: text.toLowerCase(), issuingCountry: null }
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(text)) {
    if (!isBase58CheckAddress(text, [0x41])) throw invalid(kind, 'the checksum of the TRON address is wrong')
    return { normalised: text, issuingCountry: null }
  }
  if (/^bc1/i.test(text)) {
    if (text !== text.toLowerCase() && text !== text.toUpperCase()) {
      throw invalid(kind, 'a bc1 address must be all lower case or all upper case')
    }
    const normalised = text.toLowerCase()
    if (!isSegwitAddress(normalised))
      throw invalid(kind, 'the bc1 address is malformed or its checksum is wrong')
    return { normalised, issuingCountry: null }
  }
  if (/^[13][1-9A-HJ-NP-Za-km-z]{24,33}$/.test(text)) {
    if (!isBase58CheckAddress(text, [text.startsWith('1') ? 0x00 : 0x05])) {
      throw invalid(kind, 'the Bitcoin address is malformed or its checksum is wrong')
    }
    return { normalised: text, issuingCountry: null }
  }
  throw invalid(
    kind,
    'it must be an Ethereum-style (0x...), TRON (T...) or Bitcoin (1..., 3..., bc1...) address',
  )
}

function hasLuhnCheckDigit(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[digits.length - 1 - i])
    const doubled = i % 2 === 1 ? digit * 2 : digit
    sum += doubled > 9 ? doubled - 9 : doubled
  }
  return sum % 10 === 0
}

function normaliseImei(text: string) {
  const kind = 'IMEI'
  const normalised = text.replace(/[\s\p{Pd}./]/gu, '')
  if (!/^\d+$/.test(normalised)) throw invalid(kind, 'an IMEI holds only digits')
  if (normalised.length === 14) throw invalid(kind, 'it has 14 digits: the 15th, the check digit, is missing')
  if (normalised.length === 16) throw invalid(kind, 'it has 16 digits, an IMEISV: record the 15-digit IMEI')
  if (normalised.length !== 15) throw invalid(kind, 'an IMEI has 15 digits')
  if (!hasLuhnCheckDigit(normalised)) throw invalid(kind, 'its check digit (Luhn) is wrong')
  return { normalised, issuingCountry: null }
}

function normaliseVehiclePlate(text: string, country: string | null) {
  const normalised = text.toUpperCase().replace(/[\s\p{Pd}.·]/gu, '')
  const length = [...normalised].length
  if (!/^[\p{L}\p{N}][\p{L}\p{M}\p{N}]*$/u.test(normalised) || length < 2 || length > 12) {
    throw invalid(
      'VEHICLE_PLATE',
      'a plate has 2 to 12 letters and digits (enter the registration without the province name)',
    )
  }
  return { normalised, issuingCountry: country }
}

const rules: Record<IdentifierKind, Rule> = {
  PHONE: normalisePhone,
  PASSPORT: normalisePassport,
  NATIONAL_ID: normaliseNationalId,
  EMAIL: normaliseEmail,
  SOCIAL_HANDLE: normaliseSocialHandle,
  BANK_ACCOUNT: normaliseBankAccount,
  CRYPTO_WALLET: normaliseCryptoWallet,
  IMEI: normaliseImei,
  VEHICLE_PLATE: normaliseVehiclePlate,
}

/**
 * The canonical form of an identifier. Throws `INVALID_IDENTIFIER` (path `value`, or `country` for a
 * bad option) with a detail that names the kind and the reason, never the value itself.
 */
export function normaliseIdentifier(
  kind: IdentifierKind,
  value: string,
  options?: NormaliseOptions,
): NormalisedIdentifier {
  if (!Object.hasOwn(rules, kind)) {
    throw new JaringError('INVALID_IDENTIFIER', { detail: 'Unknown identifier kind.', path: 'kind' })
  }
  if (typeof value !== 'string') throw invalid(kind, 'it must be a string')
  const given = value.replace(invisibleFormatting, '').trim()
  if (given.length > maxIdentifierLength)
    throw invalid(kind, `it is longer than ${maxIdentifierLength} characters`)
  if (controlCharacter.test(given)) throw invalid(kind, 'it contains a control character')
  if (given === '') throw invalid(kind, 'it is empty')
  const country = countryOption(kind, options)
  // NFKC turns the full-width digits and letters of CJK keyboards into ASCII.
  const text = foldRegionalDigits(given.normalize('NFKC')).trim()
  return { kind, value: given, ...rules[kind](text, country) }
}

export function isValidIdentifier(kind: IdentifierKind, value: string, options?: NormaliseOptions): boolean {
  try {
    normaliseIdentifier(kind, value, options)
    return true
  } catch (error) {
    if (error instanceof JaringError && error.code === 'INVALID_IDENTIFIER') return false
    throw error
  }
}
