/**
 * What the synthetic data knows about each country of the region: who lives there (name cultures),
 * mobile numbering plans (prefixes checked against libphonenumber's metadata), passport, national id,
 * bank account and plate formats with their real check digits, and places where crimes happen.
 *
 * Each numbering plan and passport series keeps a `reserved` part that ordinary synthetic persons
 * never draw from: the shared regional figures use it, so a lookup of a figure's phone or passport
 * finds the figure and nobody else.
 */
import type { Culture } from './names.ts'
import type { Random, Weights } from './random.ts'

export interface PersonFacts {
  birthYear: number
  birthMonth: number
  birthDay: number
  female: boolean
}

export interface Bank {
  /** The bank code written before the account number (`KBANK: 123-4-56789-0`). */
  code: string
  /** Digit groups of the account number as printed. */
  groups: readonly number[]
  separator: string
}

export interface CountryProfile {
  code: string
  name: string
  cultures: Weights<Culture>
  callingCode: string
  /** Three-digit (two for Brunei) starts of mobile national numbers that are valid for any ending. */
  mobilePrefixes: readonly string[]
  reservedMobilePrefixes: readonly string[]
  mobileLength: number
  /** National format: trunk prefix, digit groups (of the trunk plus the number) and separator. */
  trunk: string
  nationalGroups: readonly number[]
  nationalSeparator: string
  internationalGroups: readonly number[]
  passport(random: Random, reserved: boolean): string
  /** A national id as usually written, or null where the synthetic data has no format for it. */
  nationalId: ((random: Random, person: PersonFacts) => string) | null
  banks: readonly Bank[]
  plate(random: Random): string
  places: readonly string[]
  emailDomains: readonly string[]
  currency: string
}

const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ'
const pad = (value: number, width: number) => String(value).padStart(width, '0')
const letter = (random: Random, alphabet = letters) => alphabet[random.int(0, alphabet.length - 1)] as string
const lettersOf = (random: Random, count: number, alphabet = letters) => {
  let out = ''
  for (let i = 0; i < count; i++) out += letter(random, alphabet)
  return out
}

function groupDigits(digits: string, groups: readonly number[], separator: string): string {
  const parts: string[] = []
  let at = 0
  for (const size of groups) {
    if (at >= digits.length) break
    parts.push(digits.slice(at, at + size))
    at += size
  }
  if (at < digits.length) parts.push(digits.slice(at))
  return parts.join(separator)
}

/** Thai citizen id: 13 digits, the last a mod-11 check digit over the first 12. */
function thaiNationalId(random: Random): string {
  const body = `${random.int(1, 8)}${random.digits(11)}`
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (13 - i)
  const digits = `${body}${(11 - (sum % 11)) % 10}`
  return groupDigits(digits, [1, 4, 5, 2, 1], random.chance(0.5) ? '-' : ' ')
}

const vietnameseProvinces = [
  '001',
  '079',
  '031',
  '048',
  '092',
  '038',
  '040',
  '036',
  '022',
  '075',
  '089',
  '094',
]

/** Vietnamese citizen id (CCCD): province, century and sex, two-digit birth year, six digits. */
function vietnameseNationalId(random: Random, person: PersonFacts): string {
  const century = person.birthYear >= 2000 ? 2 : 0
  return `${random.pick(vietnameseProvinces)}${century + (person.female ? 1 : 0)}${pad(person.birthYear % 100, 2)}${random.digits(6)}`
}

/** Hong Kong identity card: a letter, six digits and a mod-11 check digit (10 written A). */
function hongKongId(random: Random): string {
  const prefix = letter(random, 'ACDEGHKMPRVYZ')
  const digits = random.digits(6)
  let sum = 36 * 9 + (prefix.charCodeAt(0) - 55) * 8
  for (let i = 0; i < 6; i++) sum += Number(digits[i]) * (7 - i)
  const check = (11 - (sum % 11)) % 11
  return `${prefix}${digits}(${check === 10 ? 'A' : check})`
}

/** Chinese resident identity number: region, birth date, sequence, ISO 7064 MOD 11-2 check. */
function chineseResidentId(random: Random, person: PersonFacts): string {
  const region = random.pick(['110101', '310104', '440304', '440106', '350203', '530102', '450103', '510107'])
  const sequence = `${random.digits(2)}${random.int(0, 4) * 2 + (person.female ? 0 : 1)}`
  const body = `${region}${person.birthYear}${pad(person.birthMonth, 2)}${pad(person.birthDay, 2)}${sequence}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (weights[i] as number)
  return `${body}${'10X98765432'[sum % 11]}`
}

const taiwanLetterValues: Record<string, number> = {
  A: 10,
  B: 11,
  C: 12,
  D: 13,
  E: 14,
  F: 15,
  G: 16,
  H: 17,
  J: 18,
  K: 19,
  L: 20,
  M: 21,
  N: 22,
  P: 23,
  Q: 24,
  R: 25,
  S: 26,
  T: 27,
  U: 28,
  V: 29,
  X: 30,
  Y: 31,
  W: 32,
  Z: 33,
  I: 34,
  O: 35,
}

/** Taiwan national id: region letter, sex digit, seven digits, a mod-10 check digit. */
function taiwanNationalId(random: Random, person: PersonFacts): string {
  const region = random.pick(['A', 'B', 'E', 'F', 'H', 'D'])
  const body = `${person.female ? 2 : 1}${random.digits(7)}`
  const value = taiwanLetterValues[region] as number
  let sum = Math.floor(value / 10) + (value % 10) * 9
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * (8 - i)
  return `${region}${body}${(10 - (sum % 10)) % 10}`
}

/** Malaysian MyKad: birth date, place-of-birth code, four digits (odd last digit for men). */
function malaysianNationalId(random: Random, person: PersonFacts): string {
  const place = random.pick(['01', '04', '07', '08', '10', '12', '13', '14'])
  const serial = `${random.digits(3)}${random.int(0, 4) * 2 + (person.female ? 0 : 1)}`
  return `${pad(person.birthYear % 100, 2)}${pad(person.birthMonth, 2)}${pad(person.birthDay, 2)}-${place}-${serial}`
}

/** Singapore NRIC: S (born before 2000) or T, seven digits and a check letter. */
function singaporeNationalId(random: Random, person: PersonFacts): string {
  const prefix = person.birthYear >= 2000 ? 'T' : 'S'
  const digits = random.digits(7)
  const weights = [2, 7, 6, 5, 4, 3, 2]
  let sum = prefix === 'T' ? 4 : 0
  for (let i = 0; i < 7; i++) sum += Number(digits[i]) * (weights[i] as number)
  return `${prefix}${digits}${'JZIHGFEDCBA'[sum % 11]}`
}

/** Indonesian NIK: region, birth date (day + 40 for women), four-digit serial. */
function indonesianNationalId(random: Random, person: PersonFacts): string {
  const region = random.pick(['317101', '327301', '357801', '517101', '217101', '127101'])
  const day = person.birthDay + (person.female ? 40 : 0)
  return `${region}${pad(day, 2)}${pad(person.birthMonth, 2)}${pad(person.birthYear % 100, 2)}${random.digits(4)}`
}

/** Myanmar National Registration Card: state, township code, citizenship (N) and six digits. */
function myanmarNationalId(random: Random): string {
  const [state, township] = random.pick([
    ['12', 'BAHANA'],
    ['12', 'KAMAYA'],
    ['12', 'OUKAMA'],
    ['9', 'MAHAMA'],
    ['13', 'TAKANA'],
    ['10', 'MALAMA'],
    ['5', 'MAYANA'],
  ] as const)
  return `${state}/${township}(N)${random.digits(6)}`
}

/** Philippine Identification System number (PSN): twelve digits in groups of four. */
function philippineNationalId(random: Random): string {
  return groupDigits(`${random.int(1, 9)}${random.digits(11)}`, [4, 4, 4], '-')
}

function cambodianNationalId(random: Random): string {
  return `${random.int(0, 1)}${random.digits(8)}`
}

function bruneiNationalId(random: Random): string {
  return `${random.pick(['00', '01', '30', '31'])}-${random.digits(6)}`
}

const thaiConsonants = 'กขคฆงจฉชซญฎฐฒณดตถทธนบปผพฟภมยรลวศษสหฬอฮ'
const laoConsonants = 'ກຂຄງຈສຊຍດຕຖທນບປຜຝພຟມຢຣລວຫອຮ'

/** Singapore plates end in a check letter over the last two prefix letters and the digits. */
function singaporePlate(random: Random): string {
  const prefix = `S${lettersOf(random, 2, 'ABCDEFGHJKLMNPRSTUVXYZ')}`
  const number = String(random.int(1, 9999))
  const digits = number.padStart(4, '0')
  const values = [
    (prefix.charCodeAt(1) - 64) * 9,
    (prefix.charCodeAt(2) - 64) * 4,
    Number(digits[0]) * 5,
    Number(digits[1]) * 4,
    Number(digits[2]) * 3,
    Number(digits[3]) * 2,
  ]
  const sum = values.reduce((a, b) => a + b, 0)
  return `${prefix} ${number} ${'AZYXUTSRPMLKJHGEDCB'[sum % 19]}`
}

/** A list of number prefixes, written as one line of space-separated values. */
const digitsList = (list: string) => list.split(' ')

const bank = (code: string, groups: readonly number[], separator = '-'): Bank => ({ code, groups, separator })

export const countryProfiles: Record<string, CountryProfile> = {
  TH: {
    code: 'TH',
    name: 'Thailand',
    cultures: { thai: 1 },
    callingCode: '66',
    mobilePrefixes: digitsList(
      '610 617 623 634 640 652 812 819 824 830 846 851 863 871 882 891 902 917 923 935 944 953 968 971 982',
    ),
    reservedMobilePrefixes: digitsList('990'),
    mobileLength: 9,
    trunk: '0',
    nationalGroups: [3, 3, 4],
    nationalSeparator: '-',
    internationalGroups: [2, 3, 4],
    passport: (random, reserved) =>
      `${reserved ? 'AX' : random.pick(['AA', 'AB', 'AC', 'AD', 'AE', 'AF'])}${random.digits(7)}`,
    nationalId: thaiNationalId,
    banks: [
      bank('KBANK', [3, 1, 5, 1]),
      bank('SCB', [3, 1, 5, 1]),
      bank('BBL', [3, 1, 5, 1]),
      bank('KTB', [3, 1, 5, 1]),
      bank('BAY', [3, 1, 5, 1]),
      bank('TTB', [3, 1, 5, 1]),
      bank('GSB', [12], ''),
    ],
    plate: (random) =>
      `${random.chance(0.5) ? random.int(1, 9) : ''}${lettersOf(random, 2, thaiConsonants)} ${random.int(1, 9999)}`,
    places: [
      'Bangkok',
      'Chiang Mai',
      'Chiang Rai',
      'Mae Sot, Tak',
      'Pattaya',
      'Phuket',
      'Udon Thani',
      'Khon Kaen',
      'Hat Yai',
      'Nong Khai',
      'Mae Sai',
      'Kanchanaburi',
      'Sa Kaeo',
    ],
    emailDomains: ['gmail.com', 'hotmail.com', 'yahoo.co.th', 'outlook.co.th'],
    currency: 'THB',
  },
  VN: {
    code: 'VN',
    name: 'Viet Nam',
    cultures: { vietnamese: 1 },
    callingCode: '84',
    mobilePrefixes: digitsList(
      '320 325 332 338 347 352 363 368 376 385 396 398 865 868 961 971 981 812 835 886 912 943 703 765 778 792 898 901 936',
    ),
    reservedMobilePrefixes: digitsList('399'),
    mobileLength: 9,
    trunk: '0',
    nationalGroups: [4, 3, 3],
    nationalSeparator: ' ',
    internationalGroups: [2, 3, 4],
    passport: (random, reserved) => `${reserved ? 'K' : random.pick(['C', 'N', 'P'])}${random.digits(7)}`,
    nationalId: vietnameseNationalId,
    banks: [
      bank('VCB', [13], ''),
      bank('TCB', [14], ''),
      bank('MB', [4, 4, 4], ' '),
      bank('ACB', [9], ''),
      bank('VPB', [9], ''),
      bank('BIDV', [14], ''),
      bank('AGRIBANK', [13], ''),
    ],
    plate: (random) =>
      `${pad(random.pick([29, 30, 51, 59, 43, 15, 14, 70, 72, 61]), 2)}${letter(random, 'ABCDEFGHKLMNPSTUVXYZ')}${random.chance(0.4) ? random.int(1, 9) : ''}-${random.digits(3)}.${random.digits(2)}`,
    places: [
      'Hà Nội',
      'TP. Hồ Chí Minh',
      'Hải Phòng',
      'Đà Nẵng',
      'Cần Thơ',
      'Móng Cái, Quảng Ninh',
      'Lào Cai',
      'Tây Ninh',
      'An Giang',
      'Nghệ An',
      'Hà Tĩnh',
    ],
    emailDomains: ['gmail.com', 'yahoo.com.vn', 'outlook.com'],
    currency: 'VND',
  },
  HK: {
    code: 'HK',
    name: 'Hong Kong, China',
    cultures: { cantonese: 9, english: 1 },
    callingCode: '852',
    mobilePrefixes: digitsList(
      '512 516 523 546 551 561 590 601 612 623 634 645 651 661 672 684 690 902 912 923 934 945 951 962 975 984',
    ),
    reservedMobilePrefixes: digitsList('988'),
    mobileLength: 8,
    trunk: '',
    nationalGroups: [4, 4],
    nationalSeparator: ' ',
    internationalGroups: [4, 4],
    passport: (random, reserved) => `${reserved ? 'H' : 'K'}${random.digits(8)}`,
    nationalId: hongKongId,
    banks: [
      bank('HSBC', [3, 6, 3]),
      bank('HASE', [3, 6, 3]),
      bank('BOCHK', [3, 3, 1, 6, 1]),
      bank('SCBHK', [3, 7, 1]),
      bank('DBSHK', [3, 8]),
    ],
    plate: (random) => `${lettersOf(random, 2, 'ABCDEFGHJKLMNPRSTUVWXYZ')} ${random.int(1, 9999)}`,
    places: [
      'Mong Kok',
      'Tsim Sha Tsui',
      'Wan Chai',
      'Sham Shui Po',
      'Yuen Long',
      'Tuen Mun',
      'Sha Tin',
      'Kwun Tong',
      'Central',
      'Hong Kong International Airport',
    ],
    emailDomains: ['gmail.com', 'yahoo.com.hk', 'netvigator.com', 'outlook.com'],
    currency: 'HKD',
  },
  MO: {
    code: 'MO',
    name: 'Macao, China',
    cultures: { cantonese: 1 },
    callingCode: '853',
    mobilePrefixes: digitsList('620 628 631 636 653 659 662 668'),
    reservedMobilePrefixes: digitsList('688'),
    mobileLength: 8,
    trunk: '',
    nationalGroups: [4, 4],
    nationalSeparator: ' ',
    internationalGroups: [4, 4],
    passport: (random, reserved) => `${reserved ? 'MB' : 'MA'}${random.digits(7)}`,
    nationalId: null,
    banks: [bank('BNU', [10], ''), bank('BOCMO', [2, 2, 3, 6], '-')],
    plate: (random) => `M${letter(random)}-${random.digits(2)}-${random.digits(2)}`,
    places: ['Macao Peninsula', 'Taipa', 'Cotai'],
    emailDomains: ['gmail.com', 'macau.ctm.net'],
    currency: 'MOP',
  },
  CN: {
    code: 'CN',
    name: 'China',
    cultures: { mandarin: 1 },
    callingCode: '86',
    mobilePrefixes: digitsList('130 131 135 136 138 139 150 151 152 158 159 176 177 180 182 186 187 188 189'),
    reservedMobilePrefixes: digitsList('199'),
    mobileLength: 11,
    trunk: '',
    nationalGroups: [3, 4, 4],
    nationalSeparator: ' ',
    internationalGroups: [3, 4, 4],
    passport: (random, reserved) =>
      reserved ? `EK${random.digits(7)}` : `${random.pick(['E', 'G'])}${random.digits(8)}`,
    nationalId: chineseResidentId,
    banks: [
      bank('ICBC', [4, 4, 4, 4, 3], ' '),
      bank('CCB', [4, 4, 4, 4, 3], ' '),
      bank('BOC', [4, 4, 4, 4, 3], ' '),
      bank('ABC', [4, 4, 4, 4, 3], ' '),
    ],
    plate: (random) =>
      `${random.pick(['粤', '闽', '云', '桂', '京', '沪'])}${letter(random, 'ABCDEFGH')}·${random.chance(0.5) ? letter(random) : random.int(0, 9)}${random.digits(4)}`,
    places: [
      'Guangzhou',
      'Shenzhen',
      'Xiamen',
      'Kunming',
      'Fuzhou',
      'Ruili, Yunnan',
      'Xishuangbanna',
      'Nanning',
    ],
    emailDomains: ['qq.com', '163.com', '126.com', 'sina.com'],
    currency: 'CNY',
  },
  TW: {
    code: 'TW',
    name: 'Taiwan, China',
    cultures: { taiwanese: 1 },
    callingCode: '886',
    mobilePrefixes: digitsList('905 910 912 918 921 928 932 937 952 958 963 972 978 988'),
    reservedMobilePrefixes: digitsList('989'),
    mobileLength: 9,
    trunk: '0',
    nationalGroups: [4, 3, 3],
    nationalSeparator: '-',
    internationalGroups: [3, 3, 3],
    passport: (random, reserved) =>
      `${reserved ? '35' : random.pick(['30', '31', '32', '33'])}${random.digits(7)}`,
    nationalId: taiwanNationalId,
    banks: [bank('CTBC', [3, 3, 6]), bank('ESUN', [4, 3, 7]), bank('CATHAY', [3, 3, 6])],
    plate: (random) => `${lettersOf(random, 3)}-${random.digits(4)}`,
    places: ['Taipei', 'New Taipei', 'Kaohsiung', 'Taichung', 'Tainan'],
    emailDomains: ['gmail.com', 'yahoo.com.tw', 'hotmail.com'],
    currency: 'TWD',
  },
  MM: {
    code: 'MM',
    name: 'Myanmar',
    cultures: { burmese: 1 },
    callingCode: '95',
    mobilePrefixes: digitsList('942 944 945 975 976 977 978 979 994 995 996 997'),
    reservedMobilePrefixes: digitsList('969'),
    mobileLength: 10,
    trunk: '0',
    nationalGroups: [2, 3, 3, 3],
    nationalSeparator: ' ',
    internationalGroups: [1, 3, 3, 3],
    passport: (random, reserved) =>
      `${reserved ? 'MF' : random.pick(['MA', 'MB', 'MC', 'MD'])}${random.digits(6)}`,
    nationalId: myanmarNationalId,
    banks: [bank('KBZ', [17], ''), bank('AYA', [13], ''), bank('CB', [4, 4, 4, 4], ' ')],
    plate: (random) => `${random.int(1, 9)}${letter(random, 'ABCDEFGHJKLMNPQ')}-${random.digits(4)}`,
    places: [
      'KK Park, Myawaddy',
      'Shwe Kokko, Myawaddy',
      'Tachileik',
      'Yangon',
      'Mandalay',
      'Laukkaing, Kokang',
      'Muse',
      'Payathonzu (Three Pagodas Pass)',
    ],
    emailDomains: ['gmail.com', 'yahoo.com'],
    currency: 'MMK',
  },
  KH: {
    code: 'KH',
    name: 'Cambodia',
    cultures: { khmer: 1 },
    callingCode: '855',
    mobilePrefixes: digitsList('100 120 150 170 610 660 700 770 810 850 870 920 970 990'),
    reservedMobilePrefixes: digitsList('999'),
    mobileLength: 8,
    trunk: '0',
    nationalGroups: [3, 3, 3],
    nationalSeparator: ' ',
    internationalGroups: [2, 3, 3],
    passport: (random, reserved) => `${reserved ? 'N1' : 'N0'}${random.digits(7)}`,
    nationalId: cambodianNationalId,
    banks: [bank('ABA', [3, 3, 3], ' '), bank('ACLEDA', [4, 2, 6, 1], '-'), bank('WING', [8], '')],
    plate: (random) => `${random.int(1, 3)}${letter(random, 'ABCDEFGHJKLMNPQRSTUVWXYZ')}-${random.digits(4)}`,
    places: [
      'Sihanoukville',
      'Phnom Penh',
      'Bavet, Svay Rieng',
      'Poipet',
      "O'Smach, Oddar Meanchey",
      'Koh Kong',
      'Siem Reap',
      'Kampot',
    ],
    emailDomains: ['gmail.com', 'yahoo.com'],
    currency: 'USD',
  },
  LA: {
    code: 'LA',
    name: 'Lao PDR',
    cultures: { lao: 1 },
    callingCode: '856',
    mobilePrefixes: digitsList('202 205 207 209'),
    reservedMobilePrefixes: digitsList('203'),
    mobileLength: 10,
    trunk: '0',
    nationalGroups: [3, 4, 4],
    nationalSeparator: ' ',
    internationalGroups: [2, 2, 3, 3],
    passport: (random, reserved) => (reserved ? `PB${random.digits(6)}` : `P${random.digits(7)}`),
    nationalId: null,
    banks: [bank('BCEL', [4, 2, 8, 1], ' '), bank('LDB', [12], '')],
    plate: (random) => `${lettersOf(random, 2, laoConsonants)} ${random.digits(4)}`,
    places: ['Golden Triangle SEZ, Bokeo', 'Ton Pheung, Bokeo', 'Vientiane', 'Boten', 'Luang Prabang'],
    emailDomains: ['gmail.com', 'laotel.com'],
    currency: 'LAK',
  },
  MY: {
    code: 'MY',
    name: 'Malaysia',
    cultures: { malay: 6, malaysianChinese: 3, indian: 1 },
    callingCode: '60',
    mobilePrefixes: digitsList('120 123 126 131 137 143 162 165 172 177 182 193 196 102'),
    reservedMobilePrefixes: digitsList('199'),
    mobileLength: 9,
    trunk: '0',
    nationalGroups: [3, 3, 4],
    nationalSeparator: '-',
    internationalGroups: [2, 3, 4],
    passport: (random, reserved) => `${reserved ? 'K' : 'A'}${random.digits(8)}`,
    nationalId: malaysianNationalId,
    banks: [bank('MBB', [12], ''), bank('CIMB', [14], ''), bank('PBB', [10], ''), bank('RHB', [14], '')],
    plate: (random) =>
      `${random.pick(['W', 'B', 'J', 'P', 'S'])}${lettersOf(random, 2, 'ABCDEFGHJKLMNPQRSTUVWXY')} ${random.int(1, 9999)}`,
    places: [
      'Kuala Lumpur',
      'Johor Bahru',
      'George Town, Penang',
      'Kota Kinabalu',
      'Kuching',
      'Ipoh',
      'Klang',
    ],
    emailDomains: ['gmail.com', 'yahoo.com.my', 'hotmail.com'],
    currency: 'MYR',
  },
  SG: {
    code: 'SG',
    name: 'Singapore',
    cultures: { malaysianChinese: 7, malay: 2, indian: 1 },
    callingCode: '65',
    mobilePrefixes: digitsList('812 824 836 847 858 869 873 881 891 902 914 927 933 945 963 976 982'),
    reservedMobilePrefixes: digitsList('988'),
    mobileLength: 8,
    trunk: '',
    nationalGroups: [4, 4],
    nationalSeparator: ' ',
    internationalGroups: [4, 4],
    passport: (random, reserved) => `${reserved ? 'E' : 'K'}${random.digits(7)}${letter(random)}`,
    nationalId: singaporeNationalId,
    banks: [bank('DBS', [3, 6, 1]), bank('OCBC', [3, 6, 3]), bank('UOB', [3, 3, 3, 1])],
    plate: singaporePlate,
    places: ['Singapore'],
    emailDomains: ['gmail.com', 'singnet.com.sg', 'yahoo.com.sg'],
    currency: 'SGD',
  },
  ID: {
    code: 'ID',
    name: 'Indonesia',
    cultures: { indonesian: 1 },
    callingCode: '62',
    mobilePrefixes: digitsList('811 812 813 821 822 852 853 856 857 877 878 895 896 897 898 838 831 819 817'),
    reservedMobilePrefixes: digitsList('899'),
    mobileLength: 11,
    trunk: '0',
    nationalGroups: [4, 4, 4],
    nationalSeparator: '-',
    internationalGroups: [3, 4, 4],
    passport: (random, reserved) =>
      `${reserved ? 'X' : random.pick(['A', 'B', 'C', 'E'])}${random.digits(7)}`,
    nationalId: indonesianNationalId,
    banks: [
      bank('BCA', [10], ''),
      bank('BRI', [4, 2, 6, 2, 1], '-'),
      bank('MANDIRI', [3, 2, 7, 1], '-'),
      bank('BNI', [10], ''),
    ],
    plate: (random) =>
      `${random.pick(['B', 'D', 'L', 'BK', 'DK', 'BP'])} ${random.int(1, 9999)} ${lettersOf(random, random.int(1, 3))}`,
    places: ['Jakarta', 'Batam', 'Surabaya', 'Medan', 'Denpasar, Bali', 'Pontianak', 'Tanjung Pinang'],
    emailDomains: ['gmail.com', 'yahoo.co.id'],
    currency: 'IDR',
  },
  PH: {
    code: 'PH',
    name: 'Philippines',
    cultures: { filipino: 1 },
    callingCode: '63',
    mobilePrefixes: digitsList('905 906 915 917 918 919 920 921 927 928 935 945 956 966 977 995 998'),
    reservedMobilePrefixes: digitsList('999'),
    mobileLength: 10,
    trunk: '0',
    nationalGroups: [4, 3, 4],
    nationalSeparator: ' ',
    internationalGroups: [3, 3, 4],
    passport: (random, reserved) => `${reserved ? 'S' : 'P'}${random.digits(7)}${letter(random, 'ABC')}`,
    nationalId: philippineNationalId,
    banks: [
      bank('BDO', [3, 4, 3]),
      bank('BPI', [4, 4, 2]),
      bank('METROBANK', [3, 3, 7]),
      bank('LANDBANK', [4, 4, 2]),
    ],
    plate: (random) => `${lettersOf(random, 3)} ${random.digits(random.chance(0.8) ? 4 : 3)}`,
    places: [
      'Pasay, Metro Manila',
      'Parañaque, Metro Manila',
      'Clark, Pampanga',
      'Bamban, Tarlac',
      'Cebu City',
      'Davao City',
      'Porac, Pampanga',
    ],
    emailDomains: ['gmail.com', 'yahoo.com.ph'],
    currency: 'PHP',
  },
  BN: {
    code: 'BN',
    name: 'Brunei Darussalam',
    cultures: { malay: 1 },
    callingCode: '673',
    mobilePrefixes: digitsList('71 72 81 82 87 88'),
    reservedMobilePrefixes: digitsList('89'),
    mobileLength: 7,
    trunk: '',
    nationalGroups: [3, 4],
    nationalSeparator: ' ',
    internationalGroups: [3, 4],
    passport: (random, reserved) => `${reserved ? 'D' : 'B'}${random.digits(8)}`,
    nationalId: bruneiNationalId,
    banks: [bank('BIBD', [2, 2, 6], '-'), bank('BAIDURI', [2, 2, 6], '-')],
    plate: (random) => `B${letter(random, 'ABCDEFGHJKLMN')} ${random.int(1, 9999)}`,
    places: ['Bandar Seri Begawan', 'Muara'],
    emailDomains: ['gmail.com', 'brunet.bn'],
    currency: 'BND',
  },
}

export function countryProfile(code: string): CountryProfile {
  const profile = countryProfiles[code]
  if (!profile) throw new Error(`No synthetic data profile for country ${code}`)
  return profile
}

export type PhoneFormat = 'international' | 'national' | 'e164' | 'idd'

/** A mobile number of `country`: its national significant number. */
export function mobileNumber(random: Random, country: CountryProfile, reserved = false): string {
  const prefix = random.pick(reserved ? country.reservedMobilePrefixes : country.mobilePrefixes)
  return `${prefix}${random.digits(country.mobileLength - prefix.length)}`
}

/** A national significant number written the way people write it. */
export function formatPhone(country: CountryProfile, nationalNumber: string, format: PhoneFormat): string {
  switch (format) {
    case 'e164':
      return `+${country.callingCode}${nationalNumber}`
    case 'idd':
      return `00${country.callingCode} ${groupDigits(nationalNumber, country.internationalGroups, ' ')}`
    case 'national':
      return groupDigits(
        `${country.trunk}${nationalNumber}`,
        country.nationalGroups,
        country.nationalSeparator,
      )
    default:
      return `+${country.callingCode} ${groupDigits(nationalNumber, country.internationalGroups, ' ')}`
  }
}

/** A bank account number as printed, after its bank code: `KBANK: 123-4-56789-0`. */
export function bankAccount(random: Random, country: CountryProfile): string {
  const chosen = random.pick(country.banks)
  const length = chosen.groups.reduce((a, b) => a + b, 0)
  const digits = `${random.int(1, 9)}${random.digits(length - 1)}`
  return `${chosen.code}: ${groupDigits(digits, chosen.groups, chosen.separator)}`
}
