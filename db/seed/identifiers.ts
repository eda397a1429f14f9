/**
 * Identifier values that pass the node's own validation: crypto addresses with real base58check
 * checksums (USDT on TRON being the scam networks' currency of choice), IMEIs with a Luhn check
 * digit, e-mail addresses and social handles built from a person's name.
 */
import { createHash } from 'node:crypto'
import { asciiWords, type NameForm } from './names.ts'
import type { Random, Weights } from './random.ts'

const base58Alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

function base58(bytes: Uint8Array): string {
  const digits: number[] = []
  for (const byte of bytes) {
    let carry = byte
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8
      digits[i] = carry % 58
      carry = Math.floor(carry / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  let out = ''
  for (const byte of bytes) {
    if (byte !== 0) break
    out += '1'
  }
  for (let i = digits.length - 1; i >= 0; i--) out += base58Alphabet[digits[i] as number]
  return out
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest()

function base58Check(version: number, random: Random): string {
  const payload = new Uint8Array(25)
  payload[0] = version
  payload.set(random.bytes(20), 1)
  payload.set(sha256(sha256(payload.subarray(0, 21))).subarray(0, 4), 21)
  return base58(payload)
}

export type WalletNetwork = 'TRON' | 'ETHEREUM' | 'BITCOIN'

export function walletAddress(random: Random, network: WalletNetwork): string {
  if (network === 'TRON') return base58Check(0x41, random)
  if (network === 'BITCOIN') return base58Check(random.chance(0.7) ? 0x00 : 0x05, random)
  return `0x${Buffer.from(random.bytes(20)).toString('hex')}`
}

/** USDT on TRON is what the scam networks pay and launder with. */
const walletNetworks: Weights<WalletNetwork> = { TRON: 7, ETHEREUM: 2, BITCOIN: 1 }

export function randomWallet(random: Random): string {
  return walletAddress(random, random.weighted(walletNetworks))
}

/** Type allocation codes of handsets common in the region. */
const typeAllocationCodes = [
  '35332510',
  '35391110',
  '86891603',
  '86726503',
  '35467710',
  '35875808',
  '86401204',
  '35209411',
  '86769004',
  '35684610',
]

function luhnCheckDigit(body: string): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    const digit = Number(body[body.length - 1 - i])
    const doubled = i % 2 === 0 ? digit * 2 : digit
    sum += doubled > 9 ? doubled - 9 : doubled
  }
  return (10 - (sum % 10)) % 10
}

export function imei(random: Random): string {
  const tac = random.pick(typeAllocationCodes)
  const serial = random.digits(6)
  const check = luhnCheckDigit(`${tac}${serial}`)
  return random.chance(0.3)
    ? `${tac.slice(0, 2)}-${tac.slice(2)}-${serial}-${check}`
    : `${tac}${serial}${check}`
}

const handleWords = [
  'official',
  'vip',
  'hr',
  'job',
  'invest',
  'crypto',
  'service',
  'boss',
  'agent',
  'support',
  'recruit',
  'asia',
  'trade',
  'cs',
]

function nameStem(random: Random, name: NameForm): string {
  const words = asciiWords(name)
  if (words.length === 0) return random.pick(handleWords)
  const first = words[0] as string
  const last = words[words.length - 1] as string
  return random.pick([`${first}${last}`, `${first}.${last}`, `${first}_${last}`, `${last}${first[0]}`, first])
}

export function emailAddress(random: Random, name: NameForm, domains: readonly string[]): string {
  const stem = nameStem(random, name).replaceAll('_', '.')
  const local = `${stem}${random.chance(0.6) ? random.int(1, 999) : ''}`
  const written = random.chance(0.2) ? local.charAt(0).toUpperCase() + local.slice(1) : local
  return `${written}@${random.pick(domains)}`
}

export type SocialPlatform = 'telegram' | 'facebook' | 'line' | 'wechat' | 'tiktok' | 'instagram' | 'zalo'

/** A Telegram username (at least five characters) derived from a name. */
export function telegramUsername(random: Random, name: NameForm): string {
  const handle = handleFor(random, name)
  return (handle.length < 5 ? `${handle}_${random.pick(handleWords)}` : handle).slice(0, 32)
}

/** The ways officers write down one Telegram account; the node normalises all of them to `telegram:name`. */
export function telegramSpellings(username: string): string[] {
  return [`telegram:@${username}`, `t.me/${username}`, `https://t.me/${username}`]
}

function handleFor(random: Random, name: NameForm): string {
  const stem = nameStem(random, name).replaceAll('.', '_')
  return `${stem}${random.chance(0.5) ? `_${random.pick(handleWords)}` : ''}${random.chance(0.5) ? random.int(1, 99) : ''}`
}

/** How often officers write `telegram:@name`, `t.me/name` and `https://t.me/name`. */
const telegramForms: Weights<'0' | '1' | '2'> = { 0: 5, 1: 3, 2: 2 }

/** A social media account as a liaison officer would record it: platform-prefixed or a profile link. */
export function socialHandle(random: Random, name: NameForm, platform: SocialPlatform): string {
  switch (platform) {
    case 'telegram':
      return telegramSpellings(telegramUsername(random, name))[
        Number(random.weighted(telegramForms))
      ] as string
    case 'facebook': {
      const handle = handleFor(random, name).replaceAll('_', '.').slice(0, 50)
      return random.chance(0.5) ? `https://www.facebook.com/${handle}` : `facebook:${handle}`
    }
    case 'line':
      return `line:${handleFor(random, name).slice(0, 20)}`
    case 'wechat':
      return `wechat:wxid_${random.digits(4)}${handleFor(random, name).slice(0, 10)}`
    case 'tiktok':
      return `tiktok:@${handleFor(random, name).slice(0, 24)}`
    case 'instagram':
      return `instagram:${handleFor(random, name).slice(0, 30)}`
    default:
      return `zalo:${handleFor(random, name).slice(0, 40)}`
  }
}
