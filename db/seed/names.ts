/**
 * Personal names of the region, each in its own script and order with a romanised form, and the
 * spellings other agencies would record for the same person: another romanisation (pinyin against
 * Cantonese, common Thai against RTGS), diacritics dropped, family name first or last, an honorific.
 */
import type { Gender } from '../../schema/vocabulary.ts'
import type { Random } from './random.ts'

export interface NameForm {
  fullName: string
  /** ISO 15924 script code of `fullName`. */
  script: 'Latn' | 'Thai' | 'Hani' | 'Mymr'
  /** The Latin rendering of a name written in another script or with diacritics; null otherwise. */
  romanised: string | null
}

export interface PersonNameSet {
  primary: NameForm
  /** A nickname or working name, when the person goes by one. */
  alias: NameForm
  /** Distinct spellings of the primary name that other agencies would record, first the usual one. */
  spellings: readonly NameForm[]
}

export const cultures = [
  'thai',
  'vietnamese',
  'mandarin',
  'cantonese',
  'taiwanese',
  'burmese',
  'khmer',
  'lao',
  'malay',
  'malaysianChinese',
  'indian',
  'indonesian',
  'filipino',
  'english',
] as const
export type Culture = (typeof cultures)[number]

type Sex = 'm' | 'f'

const asciiFold = (text: string) =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replaceAll('đ', 'd').replaceAll('Đ', 'D')

const latin = (fullName: string): NameForm => {
  const folded = asciiFold(fullName)
  return { fullName, script: 'Latn', romanised: folded === fullName ? null : folded }
}

const upper = (text: string) => text.toUpperCase()
const capitalise = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`

const sexOf = (gender: Gender, random: Random): Sex =>
  gender === 'FEMALE' ? 'f' : gender === 'MALE' ? 'm' : random.chance(0.5) ? 'f' : 'm'

// Thai: [Thai script, common romanisation, RTGS romanisation]
type ThaiName = readonly [string, string, string]
const thaiGiven: Record<Sex, readonly ThaiName[]> = {
  m: [
    ['สมชาย', 'Somchai', 'Somchay'],
    ['สมศักดิ์', 'Somsak', 'Somsak'],
    ['ประเสริฐ', 'Prasert', 'Prasoet'],
    ['วิชัย', 'Wichai', 'Vichai'],
    ['ธนากร', 'Thanakorn', 'Thanakon'],
    ['ณัฐพล', 'Nattapon', 'Natthaphon'],
    ['ชัยวัฒน์', 'Chaiwat', 'Chaiwat'],
    ['กิตติพงษ์', 'Kittipong', 'Kittiphong'],
    ['อนุชา', 'Anucha', 'Anucha'],
    ['สุริยา', 'Suriya', 'Suriya'],
    ['พงศกร', 'Pongsakorn', 'Phongsakon'],
    ['ธีรวัฒน์', 'Teerawat', 'Thirawat'],
    ['เอกชัย', 'Ekkachai', 'Ekachai'],
    ['บุญชู', 'Boonchu', 'Bunchu'],
  ],
  f: [
    ['สุดารัตน์', 'Sudarat', 'Sudarat'],
    ['กาญจนา', 'Kanjana', 'Kanchana'],
    ['ศิริพร', 'Siriporn', 'Siriphon'],
    ['วันเพ็ญ', 'Wanpen', 'Wanphen'],
    ['นภัสสร', 'Napatsorn', 'Naphatson'],
    ['พิมพ์ชนก', 'Pimchanok', 'Phimchanok'],
    ['อรุณี', 'Arunee', 'Aruni'],
    ['ปวีณา', 'Paweena', 'Pawina'],
    ['มาลัย', 'Malai', 'Malai'],
    ['จันทร์เพ็ญ', 'Janpen', 'Chanphen'],
    ['รัตนา', 'Rattana', 'Rattana'],
    ['สุภาพร', 'Supaporn', 'Suphaphon'],
  ],
}
const thaiFamily: readonly ThaiName[] = [
  ['ใจดี', 'Jaidee', 'Chaidi'],
  ['สุขสวัสดิ์', 'Suksawat', 'Suksawad'],
  ['ศรีสุข', 'Srisuk', 'Sisuk'],
  ['แสงทอง', 'Saengthong', 'Sangthong'],
  ['บุญมา', 'Boonma', 'Bunma'],
  ['ทองดี', 'Thongdee', 'Thongdi'],
  ['วงศ์สวัสดิ์', 'Wongsawat', 'Wongsawad'],
  ['รัตนพันธ์', 'Rattanapan', 'Rattanaphan'],
  ['พรหมมา', 'Promma', 'Phromma'],
  ['เพชรรัตน์', 'Petcharat', 'Phetcharat'],
  ['อินทร์แก้ว', 'Inkaew', 'Inkaeo'],
  ['มณีรัตน์', 'Maneerat', 'Manirat'],
  ['ปัญญาดี', 'Panyadee', 'Panyadi'],
  ['ชัยมงคล', 'Chaimongkol', 'Chaimongkhon'],
  ['สมบูรณ์', 'Somboon', 'Sombun'],
  ['เจริญสุข', 'Charoensuk', 'Charoensuk'],
  ['ศรีวงศ์', 'Sriwong', 'Siwong'],
  ['กาญจนวงศ์', 'Kanjanawong', 'Kanchanawong'],
]
const thaiNicknames: readonly (readonly [string, string])[] = [
  ['เล็ก', 'Lek'],
  ['น้อย', 'Noi'],
  ['ต้น', 'Ton'],
  ['บอย', 'Boy'],
  ['นก', 'Nok'],
  ['แบงค์', 'Bank'],
  ['จอย', 'Joy'],
  ['ปู', 'Pu'],
  ['เอ็ม', 'Em'],
  ['กอล์ฟ', 'Golf'],
  ['ฝน', 'Fon'],
  ['หนิง', 'Ning'],
  ['เบียร์', 'Beer'],
]

function thai(random: Random, sex: Sex): PersonNameSet {
  const [givenThai, given, givenRtgs] = random.pick(thaiGiven[sex])
  const [familyThai, family, familyRtgs] = random.pick(thaiFamily)
  const [nickThai, nick] = random.pick(thaiNicknames)
  const primary: NameForm = {
    fullName: `${givenThai} ${familyThai}`,
    script: 'Thai',
    romanised: `${given} ${family}`,
  }
  return {
    primary,
    alias: { fullName: nickThai, script: 'Thai', romanised: nick },
    spellings: [primary, latin(`${upper(family)} ${given}`), latin(`${givenRtgs} ${familyRtgs}`)],
  }
}

const vietFamily = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
]
const vietMiddle: Record<Sex, readonly string[]> = {
  m: ['Văn', 'Đức', 'Minh', 'Hữu', 'Quang', 'Công'],
  f: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ'],
}
const vietGiven: Record<Sex, readonly string[]> = {
  m: [
    'Hùng',
    'Dũng',
    'Tuấn',
    'Nam',
    'Long',
    'Hải',
    'Phong',
    'Khánh',
    'Cường',
    'Thắng',
    'Quân',
    'Huy',
    'Sơn',
    'Đạt',
  ],
  f: ['Lan', 'Hương', 'Trang', 'Linh', 'Mai', 'Hạnh', 'Thảo', 'Phương', 'Yến', 'Hằng', 'Nhung', 'Vy'],
}
const vietNicknames = ['Tí', 'Tèo', 'Bé', 'Tư', 'Sáu', 'Út', 'Bảy', 'Hai']

function vietnamese(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(vietFamily)
  const middle = random.pick(vietMiddle[sex])
  const given = random.pick(vietGiven[sex])
  const primary = latin(`${family} ${middle} ${given}`)
  return {
    primary,
    alias: latin(`${random.pick(vietNicknames)} ${given}`),
    spellings: [
      primary,
      latin(upper(asciiFold(`${family} ${middle} ${given}`))),
      latin(asciiFold(`${middle} ${given} ${family}`)),
    ],
  }
}

// Chinese family names: [simplified, traditional, pinyin, Cantonese (HK), Wade-Giles (TW), Hokkien (SG/MY)]
type ChineseFamily = readonly [string, string, string, string, string, string]
const chineseFamily: readonly ChineseFamily[] = [
  ['陈', '陳', 'Chen', 'Chan', 'Chen', 'Tan'],
  ['王', '王', 'Wang', 'Wong', 'Wang', 'Ong'],
  ['李', '李', 'Li', 'Lee', 'Lee', 'Lee'],
  ['张', '張', 'Zhang', 'Cheung', 'Chang', 'Teo'],
  ['刘', '劉', 'Liu', 'Lau', 'Liu', 'Lau'],
  ['杨', '楊', 'Yang', 'Yeung', 'Yang', 'Yeo'],
  ['黄', '黃', 'Huang', 'Wong', 'Huang', 'Ng'],
  ['吴', '吳', 'Wu', 'Ng', 'Wu', 'Goh'],
  ['林', '林', 'Lin', 'Lam', 'Lin', 'Lim'],
  ['郭', '郭', 'Guo', 'Kwok', 'Kuo', 'Quek'],
  ['何', '何', 'He', 'Ho', 'Ho', 'Ho'],
  ['梁', '梁', 'Liang', 'Leung', 'Liang', 'Neo'],
  ['周', '周', 'Zhou', 'Chow', 'Chou', 'Chew'],
  ['郑', '鄭', 'Zheng', 'Cheng', 'Cheng', 'Tay'],
  ['谢', '謝', 'Xie', 'Tse', 'Hsieh', 'Chia'],
  ['许', '許', 'Xu', 'Hui', 'Hsu', 'Khoo'],
]
// Chinese given names: [simplified, traditional, pinyin, Cantonese, Wade-Giles]
type ChineseGiven = readonly [string, string, string, string, string]
const chineseGiven: Record<Sex, readonly ChineseGiven[]> = {
  m: [
    ['大文', '大文', 'Dawen', 'Tai Man', 'Ta-wen'],
    ['志明', '志明', 'Zhiming', 'Chi Ming', 'Chih-ming'],
    ['家豪', '家豪', 'Jiahao', 'Ka Ho', 'Chia-hao'],
    ['伟强', '偉強', 'Weiqiang', 'Wai Keung', 'Wei-chiang'],
    ['建国', '建國', 'Jianguo', 'Kin Kwok', 'Chien-kuo'],
    ['俊杰', '俊傑', 'Junjie', 'Chun Kit', 'Chun-chieh'],
    ['子健', '子健', 'Zijian', 'Tsz Kin', 'Tzu-chien'],
    ['国华', '國華', 'Guohua', 'Kwok Wah', 'Kuo-hua'],
    ['海涛', '海濤', 'Haitao', 'Hoi To', 'Hai-tao'],
    ['永康', '永康', 'Yongkang', 'Wing Hong', 'Yung-kang'],
  ],
  f: [
    ['嘉欣', '嘉欣', 'Jiaxin', 'Ka Yan', 'Chia-hsin'],
    ['美玲', '美玲', 'Meiling', 'Mei Ling', 'Mei-ling'],
    ['咏诗', '詠詩', 'Yongshi', 'Wing Sze', 'Yung-shih'],
    ['丽华', '麗華', 'Lihua', 'Lai Wah', 'Li-hua'],
    ['淑仪', '淑儀', 'Shuyi', 'Suk Yee', 'Shu-i'],
    ['秀英', '秀英', 'Xiuying', 'Sau Ying', 'Hsiu-ying'],
    ['晓燕', '曉燕', 'Xiaoyan', 'Hiu Yin', 'Hsiao-yen'],
    ['慧敏', '慧敏', 'Huimin', 'Wai Man', 'Hui-min'],
  ],
}
const englishGiven: Record<Sex, readonly string[]> = {
  m: ['Peter', 'Kelvin', 'Jacky', 'Tony', 'Eric', 'Kenneth', 'Alan', 'Raymond', 'Vincent', 'Michael'],
  f: ['Winnie', 'Ivy', 'Karen', 'Mandy', 'Cindy', 'Grace', 'Joyce', 'Vivian', 'Candy', 'Elaine'],
}
const mandarinNicknames = ['老', '阿', '小']

function mandarin(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(chineseFamily)
  const given = random.pick(chineseGiven[sex])
  const primary: NameForm = {
    fullName: `${family[0]}${given[0]}`,
    script: 'Hani',
    romanised: `${family[2]} ${given[2]}`,
  }
  const nick = random.pick(mandarinNicknames)
  return {
    primary,
    alias: {
      fullName: `${nick}${family[0]}`,
      script: 'Hani',
      romanised: `${nick === '老' ? 'Lao' : nick === '阿' ? 'A' : 'Xiao'} ${family[2]}`,
    },
    spellings: [primary, latin(`${upper(family[2])} ${given[2]}`), latin(`${given[2]} ${family[2]}`)],
  }
}

function cantonese(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(chineseFamily)
  const given = random.pick(chineseGiven[sex])
  const primary: NameForm = {
    fullName: `${family[1]}${given[1]}`,
    script: 'Hani',
    romanised: `${upper(family[3])} ${given[3]}`,
  }
  return {
    primary,
    alias: latin(`${random.pick(englishGiven[sex])} ${upper(family[3])}`),
    spellings: [primary, latin(`${given[3]} ${family[3]}`), latin(`${family[2]} ${given[2]}`)],
  }
}

function taiwanese(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(chineseFamily)
  const given = random.pick(chineseGiven[sex])
  const primary: NameForm = {
    fullName: `${family[1]}${given[1]}`,
    script: 'Hani',
    romanised: `${family[4]} ${given[4]}`,
  }
  return {
    primary,
    alias: latin(`${random.pick(englishGiven[sex])} ${family[4]}`),
    spellings: [
      primary,
      latin(`${upper(family[4])} ${given[4].split('-').map(capitalise).join(' ')}`),
      latin(`${family[2]} ${given[2]}`),
    ],
  }
}

// Burmese: [Myanmar script, romanised]; Burmese names have no family name.
type BurmeseSyllable = readonly [string, string]
const burmeseSyllables: Record<Sex, readonly BurmeseSyllable[]> = {
  m: [
    ['အောင်', 'Aung'],
    ['ကျော်', 'Kyaw'],
    ['မင်း', 'Min'],
    ['ဇော်', 'Zaw'],
    ['ထက်', 'Htet'],
    ['နိုင်', 'Naing'],
    ['ဝင်း', 'Win'],
    ['မြင့်', 'Myint'],
    ['စိုး', 'Soe'],
    ['ထွန်း', 'Tun'],
    ['လှိုင်', 'Hlaing'],
    ['သိန်း', 'Thein'],
  ],
  f: [
    ['အေး', 'Aye'],
    ['ခင်', 'Khin'],
    ['စု', 'Su'],
    ['နှင်း', 'Hnin'],
    ['ဖြူ', 'Phyu'],
    ['မိုး', 'Moe'],
    ['သီရိ', 'Thiri'],
    ['မေ', 'May'],
    ['နွယ်', 'Nwe'],
    ['ဝေ', 'Wai'],
  ],
}

function burmese(random: Random, sex: Sex): PersonNameSet {
  const syllables = random.sample(burmeseSyllables[sex], random.int(2, 3))
  const roman = syllables.map((s) => s[1]).join(' ')
  const primary: NameForm = random.chance(0.4)
    ? { fullName: syllables.map((s) => s[0]).join(''), script: 'Mymr', romanised: roman }
    : latin(roman)
  const honorific = sex === 'm' ? 'U' : 'Daw'
  return {
    primary,
    alias: latin(`${sex === 'm' ? 'Ko' : 'Ma'} ${syllables[syllables.length - 1]?.[1] ?? roman}`),
    spellings: [primary, latin(`${honorific} ${roman}`), latin(upper(roman))],
  }
}

const khmerFamily = [
  'Sok',
  'Chan',
  'Kim',
  'Meas',
  'Heng',
  'Chea',
  'Ly',
  'Keo',
  'Sam',
  'Prak',
  'Nhem',
  'Ouk',
  'Seng',
  'Pen',
  'Mao',
  'Noun',
]
const khmerGiven: Record<Sex, readonly string[]> = {
  m: [
    'Dara',
    'Sophal',
    'Vuthy',
    'Rithy',
    'Sovann',
    'Veasna',
    'Kosal',
    'Piseth',
    'Sokha',
    'Virak',
    'Samnang',
    'Bunthoeun',
  ],
  f: [
    'Sreymom',
    'Channary',
    'Bopha',
    'Sokunthea',
    'Chenda',
    'Sreyleak',
    'Pisey',
    'Sophea',
    'Raksmey',
    'Kanha',
    'Malis',
    'Thida',
  ],
}

function khmer(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(khmerFamily)
  const given = random.pick(khmerGiven[sex])
  const primary = latin(`${upper(family)} ${given}`)
  return {
    primary,
    alias: latin(given.slice(0, 3)),
    spellings: [primary, latin(`${given} ${family}`), latin(`${family} ${given}`)],
  }
}

const laoFamily = [
  'Phommachanh',
  'Sisouk',
  'Vongsa',
  'Keomany',
  'Souvannavong',
  'Inthavong',
  'Phetsamone',
  'Sayasith',
  'Chanthavong',
  'Xaysana',
]
const laoGiven: Record<Sex, readonly string[]> = {
  m: ['Somphone', 'Bounmy', 'Khamla', 'Souksavanh', 'Phonexay', 'Vilay', 'Khampheng', 'Sengphet'],
  f: ['Manivone', 'Chanthala', 'Keo', 'Noy', 'Vanida', 'Phonesavanh', 'Souphaphone', 'Latsamy'],
}

function lao(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(laoFamily)
  const given = random.pick(laoGiven[sex])
  const primary = latin(`${given} ${family}`)
  return {
    primary,
    alias: latin(given),
    spellings: [
      primary,
      latin(`${upper(family)} ${given}`),
      latin(`${sex === 'm' ? 'Thao' : 'Nang'} ${given} ${family}`),
    ],
  }
}

const malayGiven: Record<Sex, readonly string[]> = {
  m: [
    'Ahmad',
    'Muhammad Faiz',
    'Mohd Azlan',
    'Hafiz',
    'Amirul',
    'Syafiq',
    'Zulkifli',
    'Khairul Anuar',
    'Faizal',
  ],
  f: ['Nurul Huda', 'Siti Aminah', 'Nur Aisyah', 'Farah', 'Nor Azizah', 'Siti Khadijah', 'Aina'],
}
const malayFathers = [
  'Ismail',
  'Abdullah',
  'Rahman',
  'Hassan',
  'Yusof',
  'Osman',
  'Ibrahim',
  'Zainal',
  'Hamid',
  'Razak',
]

function malay(random: Random, sex: Sex): PersonNameSet {
  const given = random.pick(malayGiven[sex])
  const father = random.pick(malayFathers)
  const link = sex === 'm' ? 'bin' : 'binti'
  const primary = latin(`${given} ${link} ${father}`)
  return {
    primary,
    alias: latin(given.split(' ')[0] ?? given),
    spellings: [primary, latin(`${given} ${father}`), latin(upper(`${given} ${link} ${father}`))],
  }
}

const hokkienGiven: Record<Sex, readonly string[]> = {
  m: ['Wei Ming', 'Chee Keong', 'Jun Hao', 'Boon Hock', 'Kok Wai', 'Teck Seng', 'Eng Huat'],
  f: ['Hui Min', 'Xin Yi', 'Siew Ling', 'Mei Fong', 'Pei Shan', 'Li Ting'],
}

function malaysianChinese(random: Random, sex: Sex): PersonNameSet {
  const family = random.pick(chineseFamily)[5]
  const given = random.pick(hokkienGiven[sex])
  const primary = latin(`${family} ${given}`)
  return {
    primary,
    alias: latin(`${random.pick(englishGiven[sex])} ${family}`),
    spellings: [primary, latin(`${given} ${family}`), latin(`${upper(family)} ${given.replace(' ', '')}`)],
  }
}

const indianGiven: Record<Sex, readonly string[]> = {
  m: ['Rajesh', 'Suresh', 'Ganesh', 'Arun', 'Vikram', 'Ravi', 'Prakash'],
  f: ['Priya', 'Kavitha', 'Lakshmi', 'Deepa', 'Anitha', 'Revathi'],
}
const indianFathers = ['Kumar', 'Raman', 'Subramaniam', 'Muthu', 'Krishnan', 'Nair', 'Pillai']

function indian(random: Random, sex: Sex): PersonNameSet {
  const given = random.pick(indianGiven[sex])
  const father = random.pick(indianFathers)
  const primary = latin(`${given} ${sex === 'm' ? 's/o' : 'd/o'} ${father}`)
  return {
    primary,
    alias: latin(given),
    spellings: [primary, latin(`${given} ${father}`), latin(`${upper(father)} ${given}`)],
  }
}

const indonesianGiven: Record<Sex, readonly string[]> = {
  m: ['Budi', 'Agus', 'Eko', 'Rizky', 'Andi', 'Joko', 'Hendra', 'Bambang', 'Dedi', 'Yusuf'],
  f: ['Dewi', 'Siti', 'Putri', 'Ayu', 'Sri', 'Wulan', 'Rina', 'Indah', 'Fitri'],
}
const indonesianFamily = [
  'Santoso',
  'Setiawan',
  'Prasetyo',
  'Pratama',
  'Wijaya',
  'Susilo',
  'Gunawan',
  'Lestari',
  'Rahayu',
  'Hidayat',
  'Saputra',
  'Nugroho',
  'Kurniawan',
]

function indonesian(random: Random, sex: Sex): PersonNameSet {
  const given = random.pick(indonesianGiven[sex])
  // Many Indonesians carry a single name; passports then repeat it or leave the surname empty.
  const family = random.chance(0.15) ? null : random.pick(indonesianFamily)
  const full = family ? `${given} ${family}` : given
  const primary = latin(full)
  return {
    primary,
    alias: latin(`Mas ${given}`),
    spellings: [primary, latin(upper(full)), latin(family ? `${family} ${given}` : `${given} ${given}`)],
  }
}

const filipinoGiven: Record<Sex, readonly string[]> = {
  m: [
    'Juan',
    'Jose',
    'Mark Anthony',
    'John Paul',
    'Michael',
    'Christian',
    'Jerome',
    'Rodel',
    'Arnel',
    'Ramon',
  ],
  f: ['Maria Cristina', 'Ma. Teresa', 'Jocelyn', 'Rowena', 'Angelica', 'Maricel', 'Lorna', 'Cherry Ann'],
}
const filipinoFamily = [
  'dela Cruz',
  'Santos',
  'Reyes',
  'Garcia',
  'Mendoza',
  'Bautista',
  'Villanueva',
  'Ramos',
  'Aquino',
  'Castillo',
  'Muñoz',
  'Ibañez',
  'Peñaranda',
  'Navarro',
]

function filipino(random: Random, sex: Sex): PersonNameSet {
  const given = random.pick(filipinoGiven[sex])
  const [middle, family] = random.sample(filipinoFamily, 2) as [string, string]
  const primary = latin(`${given} ${middle} ${family}`)
  return {
    primary,
    alias: latin(sex === 'm' ? `Kuya ${given.split(' ')[0]}` : `Ate ${given.split(' ')[0]}`),
    spellings: [
      primary,
      latin(`${upper(family)}, ${given} ${middle}`),
      latin(asciiFold(`${given} ${middle[0]}. ${family}`)),
    ],
  }
}

const westernFamily = [
  'Smith',
  'Brown',
  'Wilson',
  'Taylor',
  'Jones',
  'Williams',
  'Clarke',
  'Walker',
  'Murphy',
  "O'Brien",
  'Hughes',
  'Evans',
]

function english(random: Random, sex: Sex): PersonNameSet {
  const given = random.pick(
    sex === 'm'
      ? ['John', 'David', 'James', 'Daniel', 'Mark', ...englishGiven.m]
      : ['Sarah', 'Emma', 'Lisa', 'Anna', ...englishGiven.f],
  )
  const family = random.pick(westernFamily)
  const primary = latin(`${given} ${family}`)
  return {
    primary,
    alias: latin(`${given[0]}. ${family}`),
    spellings: [primary, latin(`${upper(family)}, ${given}`), latin(`${family} ${given}`)],
  }
}

const generators: Record<Culture, (random: Random, sex: Sex) => PersonNameSet> = {
  thai,
  vietnamese,
  mandarin,
  cantonese,
  taiwanese,
  burmese,
  khmer,
  lao,
  malay,
  malaysianChinese,
  indian,
  indonesian,
  filipino,
  english,
}

export function personNames(culture: Culture, random: Random, gender: Gender): PersonNameSet {
  return generators[culture](random, sexOf(gender, random))
}

/** A folded ASCII form for building e-mail addresses and handles from a name. */
export function asciiWords(form: NameForm): string[] {
  return asciiFold(form.romanised ?? form.fullName)
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word.length > 1 && word !== 'bin' && word !== 'binti')
}
