import { describe, expect, it } from 'vitest'
import type { IdentifierKind } from '../../../schema/vocabulary.ts'
import { JaringError } from '../../../services/node/errors.ts'
import {
  isValidIdentifier,
  type NormaliseOptions,
  normaliseIdentifier,
} from '../../../services/node/matching/identifiers.ts'

/** How each kind is named in error details, so an officer knows which field is at fault. */
const kindNames: Record<IdentifierKind, string> = {
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

function rejection(kind: IdentifierKind, value: string, options?: NormaliseOptions): JaringError {
  try {
    normaliseIdentifier(kind, value, options)
  } catch (error) {
    if (error instanceof JaringError) return error
    throw error
  }
  throw new Error(`${kind} ${JSON.stringify(value)} was accepted`)
}

interface Accepted {
  kind: IdentifierKind
  inputs: string[]
  country?: string
  normalised: string
  issuingCountry: string | null
}

/** Several spellings of one identifier, all giving the same normalised value. */
const accepted: Accepted[] = [
  // Thailand: mobiles 06x/08x/09x, a Bangkok landline, full-width and Thai digits, "00" prefix.
  {
    kind: 'PHONE',
    inputs: ['+66 81 234 5678', '+66812345678', '+66-81-234-5678', '+66 (0) 81 234 5678', '0066812345678'],
    normalised: '+66812345678',
    issuingCountry: 'TH',
  },
  {
    kind: 'PHONE',
    inputs: [
      '081-234-5678',
      '081 234 5678',
      '0812345678',
      '０８１２３４５６７８',
      '๐๘๑-๒๓๔-๕๖๗๘',
      '0066812345678',
    ],
    country: 'TH',
    normalised: '+66812345678',
    issuingCountry: 'TH',
  },
  {
    kind: 'PHONE',
    inputs: ['+66 91 234 5678', '091 234 5678'],
    country: 'TH',
    normalised: '+66912345678',
    issuingCountry: 'TH',
  },
  {
    kind: 'PHONE',
    inputs: ['+66 61 234 5678', '061-234-5678'],
    country: 'TH',
    normalised: '+66612345678',
    issuingCountry: 'TH',
  },
  {
    kind: 'PHONE',
    inputs: ['02 123 4567', '+66 2 123 4567'],
    country: 'TH',
    normalised: '+6621234567',
    issuingCountry: 'TH',
  },
  // Copied from a chat app, wrapped in bidi embedding characters.
  {
    kind: 'PHONE',
    inputs: ['\u202a+66 81 234 5678\u202c'],
    normalised: '+66812345678',
    issuingCountry: 'TH',
  },
  // Viet Nam: 9x, 3x, 8x, 7x mobiles.
  {
    kind: 'PHONE',
    inputs: ['+84 912 345 678', '0912 345 678', '0912.345.678'],
    country: 'VN',
    normalised: '+84912345678',
    issuingCountry: 'VN',
  },
  {
    kind: 'PHONE',
    inputs: ['+84 32 123 4567', '032 123 4567'],
    country: 'VN',
    normalised: '+84321234567',
    issuingCountry: 'VN',
  },
  {
    kind: 'PHONE',
    inputs: ['+84 86 123 4567', '086 123 4567'],
    country: 'VN',
    normalised: '+84861234567',
    issuingCountry: 'VN',
  },
  {
    kind: 'PHONE',
    inputs: ['+84 70 123 4567', '070 123 4567'],
    country: 'VN',
    normalised: '+84701234567',
    issuingCountry: 'VN',
  },
  // Hong Kong: 5x, 6x, 9x mobiles, with the country code in brackets as often written there.
  {
    kind: 'PHONE',
    inputs: ['(852) 9123 4567', '+852 9123 4567', '00852 9123 4567', '９１２３ ４５６７'],
    country: 'HK',
    normalised: '+85291234567',
    issuingCountry: 'HK',
  },
  {
    kind: 'PHONE',
    inputs: ['(852) 9123 4567', '+852-9123-4567'],
    normalised: '+85291234567',
    issuingCountry: 'HK',
  },
  {
    kind: 'PHONE',
    inputs: ['(852) 9123 4567'],
    country: 'TH',
    normalised: '+85291234567',
    issuingCountry: 'HK',
  },
  {
    kind: 'PHONE',
    inputs: ['+852 5123 4567', '5123 4567'],
    country: 'HK',
    normalised: '+85251234567',
    issuingCountry: 'HK',
  },
  {
    kind: 'PHONE',
    inputs: ['+852 6123 4567', '6123-4567'],
    country: 'HK',
    normalised: '+85261234567',
    issuingCountry: 'HK',
  },
  // The rest of the region.
  {
    kind: 'PHONE',
    inputs: ['+60 12-345 6789', '012-345 6789'],
    country: 'MY',
    normalised: '+60123456789',
    issuingCountry: 'MY',
  },
  {
    kind: 'PHONE',
    inputs: ['+855 12 345 678', '012 345 678'],
    country: 'KH',
    normalised: '+85512345678',
    issuingCountry: 'KH',
  },
  {
    kind: 'PHONE',
    inputs: ['+95 9 250 123 456', '09 250 123 456'],
    country: 'MM',
    normalised: '+959250123456',
    issuingCountry: 'MM',
  },
  {
    kind: 'PHONE',
    inputs: ['+63 917 123 4567', '0917 123 4567'],
    country: 'PH',
    normalised: '+639171234567',
    issuingCountry: 'PH',
  },
  {
    kind: 'PHONE',
    inputs: ['+62 812-3456-7890', '0812-3456-7890'],
    country: 'ID',
    normalised: '+6281234567890',
    issuingCountry: 'ID',
  },
  {
    kind: 'PHONE',
    inputs: ['+856 20 5555 1234', '020 5555 1234'],
    country: 'LA',
    normalised: '+8562055551234',
    issuingCountry: 'LA',
  },
  {
    kind: 'PHONE',
    inputs: ['+65 8123 4567', '8123 4567'],
    country: 'SG',
    normalised: '+6581234567',
    issuingCountry: 'SG',
  },
  {
    kind: 'PHONE',
    inputs: ['+86 138 0013 8000', '138 0013 8000'],
    country: 'CN',
    normalised: '+8613800138000',
    issuingCountry: 'CN',
  },
  // A number with its own country code keeps it, whatever the default region.
  {
    kind: 'PHONE',
    inputs: ['+84 912 345 678'],
    country: 'TH',
    normalised: '+84912345678',
    issuingCountry: 'VN',
  },
  {
    kind: 'PHONE',
    inputs: ['+84 912 345 678'],
    country: 'th',
    normalised: '+84912345678',
    issuingCountry: 'VN',
  },

  {
    kind: 'PASSPORT',
    inputs: ['AA1234567', 'aa 123 4567', 'AA-1234567', 'ＡＡ１２３４５６７'],
    country: 'TH',
    normalised: 'AA1234567',
    issuingCountry: 'TH',
  },
  { kind: 'PASSPORT', inputs: ['C1234567', 'c 1234567'], normalised: 'C1234567', issuingCountry: null },
  { kind: 'PASSPORT', inputs: ['K12345678'], country: 'hk', normalised: 'K12345678', issuingCountry: 'HK' },

  {
    kind: 'NATIONAL_ID',
    inputs: ['1101700230708', '1-1017-00230-70-8', '1 1017 00230 70 8'],
    country: 'TH',
    normalised: '1101700230708',
    issuingCountry: 'TH',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['1234567890121', '๑๒๓๔๕๖๗๘๙๐๑๒๑'],
    country: 'TH',
    normalised: '1234567890121',
    issuingCountry: 'TH',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['001099012345', '001 099 012 345'],
    country: 'VN',
    normalised: '001099012345',
    issuingCountry: 'VN',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['012345678'],
    country: 'VN',
    normalised: '012345678',
    issuingCountry: 'VN',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['A123456(3)', 'A1234563', 'a123456 (3)'],
    country: 'HK',
    normalised: 'A1234563',
    issuingCountry: 'HK',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['AB987654(3)'],
    country: 'HK',
    normalised: 'AB9876543',
    issuingCountry: 'HK',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['Z683365(A)', 'z683365a'],
    country: 'HK',
    normalised: 'Z683365A',
    issuingCountry: 'HK',
  },
  {
    kind: 'NATIONAL_ID',
    inputs: ['880101-14-5566', '880101145566'],
    country: 'MY',
    normalised: '880101145566',
    issuingCountry: 'MY',
  },
  { kind: 'NATIONAL_ID', inputs: ['s1234567d'], normalised: 'S1234567D', issuingCountry: null },

  {
    kind: 'EMAIL',
    inputs: ['Boss.88@Gmail.com', ' boss.88@gmail.com ', 'BOSS.88@GMAIL.COM'],
    normalised: 'boss.88@gmail.com',
    issuingCountry: null,
  },
  {
    kind: 'EMAIL',
    inputs: ['recruit+hr@job-offer.co.th'],
    normalised: 'recruit+hr@job-offer.co.th',
    issuingCountry: null,
  },
  {
    kind: 'EMAIL',
    inputs: ['ｊｏｂｓ＠ｅｘａｍｐｌｅ．ｃｏｍ'],
    normalised: 'jobs@example.com',
    issuingCountry: null,
  },
  { kind: 'EMAIL', inputs: ['somchai@ตัวอย่าง.ไทย'], normalised: 'somchai@ตัวอย่าง.ไทย', issuingCountry: null },

  {
    kind: 'SOCIAL_HANDLE',
    inputs: [
      'telegram:@Boss_88',
      'telegram:boss_88',
      'tg:@boss_88',
      'https://t.me/boss_88',
      't.me/Boss_88',
      'telegram.me/boss_88/',
    ],
    normalised: 'telegram:boss_88',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: [
      'facebook.com/some.name',
      'https://www.facebook.com/Some.Name',
      'fb:somename',
      'https://m.facebook.com/some.name?ref=x',
    ],
    normalised: 'facebook:somename',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['https://www.facebook.com/profile.php?id=100012345678', 'facebook:100012345678'],
    normalised: 'facebook:100012345678',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['line:xyz', 'LINE:@xyz', 'https://line.me/ti/p/~xyz'],
    normalised: 'line:xyz',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['wechat:xyz', 'weixin:XYZ'],
    normalised: 'wechat:xyz',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['tiktok:@job.thai', 'https://www.tiktok.com/@Job.Thai'],
    normalised: 'tiktok:job.thai',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['instagram:job_ok', 'ig:@job_ok', 'instagram.com/job_ok/'],
    normalised: 'instagram:job_ok',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['twitter:@Jobs', 'x:jobs', 'https://twitter.com/jobs', 'x.com/jobs'],
    normalised: 'x:jobs',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['zalo:0912345678', 'zalo.me/0912345678'],
    normalised: 'zalo:0912345678',
    issuingCountry: null,
  },
  {
    kind: 'SOCIAL_HANDLE',
    inputs: ['signal:boss.88', 'Signal: boss.88'],
    normalised: 'signal:boss.88',
    issuingCountry: null,
  },

  {
    kind: 'BANK_ACCOUNT',
    inputs: ['123-4-56789-0', '123 4 56789 0', '1234567890'],
    normalised: '1234567890',
    issuingCountry: null,
  },
  {
    kind: 'BANK_ACCOUNT',
    inputs: ['SCB:123-4-56789-0', 'scb: 1234567890'],
    normalised: 'SCB:1234567890',
    issuingCountry: null,
  },
  {
    kind: 'BANK_ACCOUNT',
    inputs: ['GB82 WEST 1234 5698 7654 32', 'gb82west12345698765432'],
    normalised: 'GB82WEST12345698765432',
    issuingCountry: null,
  },
  { kind: 'BANK_ACCOUNT', inputs: ['0011.2233.4455'], normalised: '001122334455', issuingCountry: null },

  {
    kind: 'CRYPTO_WALLET',
    inputs: [
      '0x52908400098527886E0F7030069857D2E4169EE7',
      '0x52908400098527886e0f7030069857d2e4169ee7',
      '0X52908400098527886E0F7030069857D2E4169EE7',
    ],
    normalised: '0x52908400098527886e0f7030069857d2e4169ee7',
    issuingCountry: null,
  },
  {
    kind: 'CRYPTO_WALLET',
    inputs: ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', ' TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t '],
    normalised: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
    issuingCountry: null,
  },
  {
    kind: 'CRYPTO_WALLET',
    inputs: ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
    normalised: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
    issuingCountry: null,
  },
  {
    kind: 'CRYPTO_WALLET',
    inputs: ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
    normalised: '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
    issuingCountry: null,
  },
  {
    kind: 'CRYPTO_WALLET',
    inputs: ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4'],
    normalised: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    issuingCountry: null,
  },
  {
    kind: 'CRYPTO_WALLET',
    inputs: ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'],
    normalised: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
    issuingCountry: null,
  },

  {
    kind: 'IMEI',
    inputs: ['490154203237518', '49-015420-323751-8', '49 015420 323751 8', '４９０１５４２０３２３７５１８'],
    normalised: '490154203237518',
    issuingCountry: null,
  },
  { kind: 'IMEI', inputs: ['35-209900-176148-1'], normalised: '352099001761481', issuingCountry: null },

  {
    kind: 'VEHICLE_PLATE',
    inputs: ['กข 1234', 'กข-1234', 'กข ๑๒๓๔'],
    country: 'TH',
    normalised: 'กข1234',
    issuingCountry: 'TH',
  },
  {
    kind: 'VEHICLE_PLATE',
    inputs: ['1กข 1234', '1 กข 1234'],
    country: 'TH',
    normalised: '1กข1234',
    issuingCountry: 'TH',
  },
  {
    kind: 'VEHICLE_PLATE',
    inputs: ['51F-123.45', '51f 12345'],
    country: 'VN',
    normalised: '51F12345',
    issuingCountry: 'VN',
  },
  {
    kind: 'VEHICLE_PLATE',
    inputs: ['wxy 1234', 'ＷＸＹ１２３４'],
    country: 'MY',
    normalised: 'WXY1234',
    issuingCountry: 'MY',
  },
  { kind: 'VEHICLE_PLATE', inputs: ['AB 1234'], normalised: 'AB1234', issuingCountry: null },
  {
    kind: 'VEHICLE_PLATE',
    inputs: ['粤B·12345', '粤B 12345'],
    country: 'CN',
    normalised: '粤B12345',
    issuingCountry: 'CN',
  },
]

describe('normaliseIdentifier accepts', () => {
  const rows = accepted.flatMap((row) => row.inputs.map((input) => ({ ...row, input })))
  it.each(rows)(
    '$kind $input (country $country) as $normalised',
    ({ kind, input, country, normalised, issuingCountry }) => {
      const options = country ? { country } : undefined
      const result = normaliseIdentifier(kind, input, options)
      expect(result).toEqual({
        kind,
        value: input.replace(/\p{Cf}/gu, '').trim(),
        normalised,
        issuingCountry,
      })
      expect(normaliseIdentifier(kind, result.normalised, options).normalised).toBe(normalised)
      expect(isValidIdentifier(kind, input, options)).toBe(true)
    },
  )
})

interface Rejected {
  kind: IdentifierKind
  input: string
  country?: string
  because: RegExp
  path?: string
}

const rejected: Rejected[] = [
  { kind: 'PHONE', input: '081 234 5678', because: /country code/ },
  { kind: 'PHONE', input: '+66 81 234 567', because: /numbering plan/ },
  { kind: 'PHONE', input: '+66 11 234 5678', because: /numbering plan/ },
  { kind: 'PHONE', input: '+84 12 345 678', because: /numbering plan/ },
  { kind: 'PHONE', input: '+852 1234 5678', because: /numbering plan/ },
  { kind: 'PHONE', input: '12', country: 'TH', because: /numbering plan/ },
  { kind: 'PHONE', input: '+66 81 234 5678 ext. 12', because: /extensions/ },
  { kind: 'PHONE', input: '1-800-FLOWERS', country: 'PH', because: /letters/ },
  { kind: 'PHONE', input: '+66 81 234 5678', country: 'THA', because: /ISO 3166-1/, path: 'country' },
  { kind: 'PHONE', input: '+', because: /only digits/ },
  { kind: 'PHONE', input: '+6', because: /numbering plan/ },
  { kind: 'PASSPORT', input: 'AB123', because: /6 to 9/ },
  { kind: 'PASSPORT', input: 'AB1234567890', because: /6 to 9/ },
  { kind: 'PASSPORT', input: 'AB12#4567', because: /6 to 9/ },
  { kind: 'NATIONAL_ID', input: '1101700230709', country: 'TH', because: /check digit/ },
  { kind: 'NATIONAL_ID', input: '110170023070', country: 'TH', because: /13 digits/ },
  { kind: 'NATIONAL_ID', input: '00109901234', country: 'VN', because: /12 digits/ },
  { kind: 'NATIONAL_ID', input: 'A123456(4)', country: 'HK', because: /check digit/ },
  { kind: 'NATIONAL_ID', input: '1234567', country: 'HK', because: /1 or 2 letters/ },
  { kind: 'NATIONAL_ID', input: 'AB12', because: /5 to 20/ },
  { kind: 'EMAIL', input: 'boss88.gmail.com', because: /exactly one @/ },
  { kind: 'EMAIL', input: 'boss@88@gmail.com', because: /exactly one @/ },
  { kind: 'EMAIL', input: 'boss 88@gmail.com', because: /before the @/ },
  { kind: 'EMAIL', input: '.boss@gmail.com', because: /before the @/ },
  { kind: 'EMAIL', input: 'boss@localhost', because: /domain/ },
  { kind: 'EMAIL', input: 'boss@-gmail.com', because: /domain/ },
  { kind: 'SOCIAL_HANDLE', input: '@boss_88', because: /name the platform/ },
  { kind: 'SOCIAL_HANDLE', input: 'boss_88', because: /name the platform/ },
  { kind: 'SOCIAL_HANDLE', input: 'whatsapp:+66812345678', because: /PHONE/ },
  { kind: 'SOCIAL_HANDLE', input: 'https://wa.me/66812345678', because: /PHONE/ },
  { kind: 'SOCIAL_HANDLE', input: 'myspace:boss', because: /not a platform/ },
  { kind: 'SOCIAL_HANDLE', input: 'https://example.com/boss', because: /not a platform/ },
  { kind: 'SOCIAL_HANDLE', input: 'telegram:boss 88', because: /form telegram allows/ },
  { kind: 'SOCIAL_HANDLE', input: 'https://t.me/joinchat/AbCdEf', because: /form telegram allows/ },
  { kind: 'SOCIAL_HANDLE', input: 'x:a_handle_far_too_long', because: /form x allows/ },
  { kind: 'SOCIAL_HANDLE', input: 'telegram:', because: /form telegram allows/ },
  { kind: 'BANK_ACCOUNT', input: '12345', because: /6 to 34/ },
  { kind: 'BANK_ACCOUNT', input: '1234/5678', because: /6 to 34/ },
  { kind: 'BANK_ACCOUNT', input: 'GB83 WEST 1234 5698 7654 32', because: /IBAN/ },
  { kind: 'CRYPTO_WALLET', input: '0x52908400098527886E0F7030069857D2E4169EE', because: /Ethereum-style/ },
  { kind: 'CRYPTO_WALLET', input: '0x52908400098527886E0F7030069857D2E4169EEG', because: /Ethereum-style/ },
  { kind: 'CRYPTO_WALLET', input: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u', because: /TRON/ },
  { kind: 'CRYPTO_WALLET', input: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj60', because: /Ethereum-style/ },
  { kind: 'CRYPTO_WALLET', input: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', because: /Bitcoin/ },
  { kind: 'CRYPTO_WALLET', input: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', because: /checksum/ },
  {
    kind: 'CRYPTO_WALLET',
    input: 'bc1qw508d6qejxtdg4y5r3zarvaRY0c5xw7kv8f3t4',
    because: /all lower case or all upper case/,
  },
  // A version 1 program checksummed with bech32 instead of bech32m (BIP 350 invalid vector).
  {
    kind: 'CRYPTO_WALLET',
    input: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd',
    because: /checksum/,
  },
  { kind: 'CRYPTO_WALLET', input: 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', because: /Ethereum-style/ },
  { kind: 'CRYPTO_WALLET', input: 'LcHKx8tLd5cMBdDCK6b1ZeYaQjkSqV1hXi', because: /Ethereum-style/ },
  { kind: 'IMEI', input: '49015420323751', because: /14 digits/ },
  { kind: 'IMEI', input: '4901542032375180', because: /16 digits/ },
  { kind: 'IMEI', input: '490154203237519', because: /Luhn/ },
  { kind: 'IMEI', input: '4901542032', because: /15 digits/ },
  { kind: 'IMEI', input: '49015420323751A', because: /only digits/ },
  { kind: 'VEHICLE_PLATE', input: 'กข 1234 กรุงเทพมหานคร', country: 'TH', because: /province/ },
  { kind: 'VEHICLE_PLATE', input: 'A', because: /2 to 12/ },
  { kind: 'VEHICLE_PLATE', input: 'AB#1234', because: /2 to 12/ },
]

const everyKind = Object.keys(kindNames) as IdentifierKind[]

describe('normaliseIdentifier rejects', () => {
  it.each(rejected)('$kind $input ($because)', ({ kind, input, country, because, path = 'value' }) => {
    const error = rejection(kind, input, country ? { country } : undefined)
    expect(error.code).toBe('INVALID_IDENTIFIER')
    expect(error.detail).toContain(kindNames[kind])
    expect(error.detail).toMatch(because)
    expect(error.path).toBe(path)
    expect(error.extra).toEqual({ kind })
    expect(isValidIdentifier(kind, input, country ? { country } : undefined)).toBe(false)
  })

  it.each(everyKind)('%s values that are empty, too long or hold control characters', (kind) => {
    for (const [input, because] of [
      ['', /empty/],
      ['   ', /empty/],
      ['\u200b', /empty/],
      ['9'.repeat(201), /longer than 200/],
      ['AB\u00001234', /control character/],
      ['AB\n1234', /control character/],
    ] as const) {
      const error = rejection(kind, input)
      expect(error.code).toBe('INVALID_IDENTIFIER')
      expect(error.detail).toContain(kindNames[kind])
      expect(error.detail).toMatch(because)
    }
  })

  it('never repeats the value in the error, so logs of failed input do not hold the identifier', () => {
    const error = rejection('PHONE', '+66 81 234 567')
    expect(error.message).not.toContain('234')
    expect(JSON.stringify(error.toJSON())).not.toContain('234')
  })

  it('an unknown kind', () => {
    const error = rejection('FAX' as IdentifierKind, '123456')
    expect(error.code).toBe('INVALID_IDENTIFIER')
    expect(error.path).toBe('kind')
  })
})

describe('normaliseIdentifier countries', () => {
  it('records the issuing country from the option for passports, national ids and plates, upper-cased', () => {
    expect(normaliseIdentifier('PASSPORT', 'B1234567', { country: ' vn ' }).issuingCountry).toBe('VN')
    expect(normaliseIdentifier('NATIONAL_ID', 'AB12345', { country: 'KH' }).issuingCountry).toBe('KH')
    expect(normaliseIdentifier('VEHICLE_PLATE', 'AB 1234', { country: 'hk' }).issuingCountry).toBe('HK')
  })

  it('takes a phone number’s country from the number, not from the option', () => {
    expect(normaliseIdentifier('PHONE', '+852 9123 4567', { country: 'TH' }).issuingCountry).toBe('HK')
  })

  it('has no country for a non-geographic number', () => {
    expect(normaliseIdentifier('PHONE', '+800 1234 5678')).toMatchObject({
      normalised: '+80012345678',
      issuingCountry: null,
    })
  })

  it('treats a well-formed country outside the numbering plans as no default region', () => {
    expect(rejection('PHONE', '081 234 5678', { country: 'XX' }).detail).toMatch(/country code/)
    expect(normaliseIdentifier('PHONE', '+66812345678', { country: 'XX' }).normalised).toBe('+66812345678')
  })

  it('keeps e-mail, handles, accounts, wallets and IMEIs without a country', () => {
    expect(normaliseIdentifier('EMAIL', 'a@example.com', { country: 'TH' }).issuingCountry).toBeNull()
    expect(normaliseIdentifier('IMEI', '490154203237518', { country: 'TH' }).issuingCountry).toBeNull()
  })
})
