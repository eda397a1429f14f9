/**
 * Case titles and summaries, syndicate names and intelligence report texts: short English texts of
 * the kind exchanged between liaison officers, with commas, quotes and line breaks, as real texts have.
 */
import type { CrimeCategory } from '../../schema/vocabulary.ts'
import type { Random, Weights } from './random.ts'

export interface CaseContext {
  place: string
  countryName: string
  homeName: string
  amount: string
  platform: string
  bank: string
  count: number
  kilograms: number
  sea: string
}

type Template = (c: CaseContext) => string

const caseTitles: Record<CrimeCategory, readonly Template[]> = {
  INTERNATIONAL_ECONOMIC_CRIME: [
    (c) => `Investment scam via ${c.platform}: victim lost ${c.amount}`,
    (c) => `Romance scam ("pig butchering") with USDT transfers, ${c.place}`,
    (c) => `Impersonation of police officers by phone, ${c.amount} transferred`,
    (c) => `Fake online shopping platform, ${c.count} complainants`,
    (c) => `Parcel scam call centre traced to ${c.place}`,
    (c) => `Fake part-time "task" job scam on ${c.platform}`,
  ],
  TRAFFICKING_IN_PERSONS: [
    (c) => `Nationals lured by fake job offers held in a compound at ${c.place}`,
    (c) => `Request for assistance: ${c.count} nationals trapped in ${c.place}`,
    (c) => `Forced criminality in a scam compound, ${c.place}`,
    (c) => `Recruitment of job seekers via ${c.platform} for "customer service" work in ${c.place}`,
    (c) => `Rescue and repatriation of ${c.count} victims from ${c.place}`,
  ],
  PEOPLE_SMUGGLING: [
    (c) => `Smuggling of ${c.count} migrants across the border near ${c.place}`,
    (c) => `Boat carrying ${c.count} undocumented migrants intercepted off ${c.place}`,
  ],
  MONEY_LAUNDERING: [
    (c) => `Mule account network moving scam proceeds through ${c.bank}`,
    (c) => `USDT-to-cash laundering through money changers in ${c.place}`,
    (c) => `Underground banking operation, turnover ${c.amount}`,
  ],
  ILLICIT_DRUG_TRAFFICKING: [
    (c) => `Seizure of ${c.kilograms} kg of methamphetamine tablets near ${c.place}`,
    (c) => `Crystal methamphetamine concealed in tea packaging, ${c.place}`,
    (c) => `Ketamine shipment intercepted at ${c.place}`,
  ],
  ARMS_SMUGGLING: [
    (c) => `Firearms and ammunition smuggled across the border at ${c.place}`,
    (c) => `Sale of firearm parts via ${c.platform}`,
  ],
  SEA_PIRACY: [
    (c) => `Armed robbery against a product tanker, ${c.sea}`,
    (c) => `Boarding of a tug and barge in the ${c.sea}; crew threatened with knives`,
  ],
  CYBERCRIME: [
    (c) => `Phishing SMS sent from a fake base station in ${c.place}`,
    (c) => `Ransomware attack on a logistics company in ${c.place}`,
    (c) => `Malicious banking app stealing credentials, ${c.count} victims`,
    (c) => `Takeover of messaging accounts via ${c.platform}`,
  ],
  WILDLIFE_AND_TIMBER_TRAFFICKING: [
    (c) => `Seizure of ${c.kilograms} kg of pangolin scales at ${c.place}`,
    (c) => `Illegal rosewood logging and transport near ${c.place}`,
    (c) => `Ivory and rhino horn concealed in air cargo via ${c.place}`,
    (c) => `Live turtles smuggled by courier through ${c.place}`,
  ],
  TERRORISM: [
    (c) => `Financing of a militant group via remittances to ${c.place}`,
    (c) => `Online propaganda and recruitment channel on ${c.platform}`,
    (c) => `Travel of suspected foreign terrorist fighters through ${c.place}`,
  ],
}

const caseSummaries: Record<CrimeCategory, readonly Template[]> = {
  INTERNATIONAL_ECONOMIC_CRIME: [
    (c) =>
      `Victim contacted through ${c.platform}, persuaded to "invest" on a fake trading site; funds moved in USDT within hours.`,
    (c) =>
      `Callers posing as officials demanded a "safe account" transfer of ${c.amount}.\nCall traced to a compound in ${c.place}.`,
    () => 'Scripted conversations, rotating SIM cards and mule accounts opened in the victims\u2019 country.',
  ],
  TRAFFICKING_IN_PERSONS: [
    (c) =>
      `Family reported that the victim left ${c.homeName} for a job offer and is held in ${c.place}; passport confiscated.`,
    () =>
      'Victims forced to run online scams 14 hours a day; debt bondage of USD 5,000 to 30,000.\nRelatives received ransom demands.',
    (c) =>
      `Recruited through ${c.platform} with promises of high salaries, moved across the border by car and boat.`,
  ],
  PEOPLE_SMUGGLING: [
    (c) => `Migrants paid brokers to cross into ${c.countryName}; transport arranged through ${c.platform}.`,
    () => 'Group intercepted at a checkpoint; drivers fled on foot.',
  ],
  MONEY_LAUNDERING: [
    (c) =>
      `Accounts rented from students and labourers, emptied within minutes of each deposit; linked to ${c.bank}.`,
    () => 'Proceeds converted to USDT on TRON and cashed out through over-the-counter traders.',
  ],
  ILLICIT_DRUG_TRAFFICKING: [
    (c) => `Consignment of ${c.kilograms} kg concealed in a truck, bound for ${c.countryName}.`,
    () => 'Couriers recruited online; payment in cash and cryptocurrency.',
  ],
  ARMS_SMUGGLING: [
    () => 'Handguns and ammunition hidden in a vehicle\u2019s fuel tank.',
    (c) => `Parts ordered online and assembled in ${c.place}.`,
  ],
  SEA_PIRACY: [
    (c) => `Perpetrators boarded at night in the ${c.sea}, stole engine spares and crew belongings.`,
    () => 'Master raised the alarm; perpetrators escaped in a speedboat.',
  ],
  CYBERCRIME: [
    (c) => `Bulk SMS with bank-branded links; ${c.count} victims entered one-time passwords.`,
    () => 'Remote-access malware installed from a link sent by a "courier".',
  ],
  WILDLIFE_AND_TIMBER_TRAFFICKING: [
    (c) => `Shipment declared as frozen fish; destination ${c.countryName}.`,
    () => 'Timber moved at night through forest tracks, laundered with forged permits.',
  ],
  TERRORISM: [
    () => 'Small transfers through remittance agents to persons linked to a listed group.',
    (c) => `Channel on ${c.platform} sharing propaganda in three languages.`,
  ],
}

export function caseTitle(random: Random, category: CrimeCategory, context: CaseContext): string {
  return random.pick(caseTitles[category])(context)
}

export function caseSummary(random: Random, category: CrimeCategory, context: CaseContext): string {
  return random.pick(caseSummaries[category])(context)
}

export const platforms: Weights<string> = {
  Telegram: 5,
  Facebook: 4,
  WhatsApp: 3,
  LINE: 2,
  WeChat: 2,
  TikTok: 2,
  Zalo: 1,
  Instagram: 1,
}

export const seas = [
  'Strait of Singapore',
  'Strait of Malacca',
  'Sulu Sea',
  'South China Sea',
  'Gulf of Thailand',
  'Celebes Sea',
]

const syndicateWords: readonly (readonly [string, string])[] = [
  ['Golden Dragon', '金龙'],
  ['Jade Lotus', '玉莲'],
  ['Red Phoenix', '红凤凰'],
  ['Black Tiger', '黑虎'],
  ['Silver Crane', '银鹤'],
  ['White Horse', '白马'],
  ['Golden Tiger', '金虎'],
  ['Blue Whale', '蓝鲸'],
  ['Thunder Dragon', '雷龙'],
  ['Lucky Star', '福星'],
  ['Crimson Lion', '赤狮'],
  ['Jade Emperor', '玉皇'],
]
const syndicateKinds: readonly (readonly [string, string])[] = [
  ['Group', '集团'],
  ['Network', '网络'],
  ['Syndicate', '帮'],
  ['Company', '公司'],
  ['Crew', '团伙'],
]

export function syndicateName(random: Random, place: string): { name: string; aliases: string[] } {
  const [english, chinese] = random.pick(syndicateWords)
  const [kind, kindChinese] = random.pick(syndicateKinds)
  const name = random.chance(0.4) ? `${english} ${kind} (${place})` : `${english} ${kind}`
  const initials = english
    .split(' ')
    .map((word) => word[0])
    .join('')
  const aliases = [`${chinese}${kindChinese}`]
  if (random.chance(0.5)) aliases.push(`${initials}-${random.int(1, 99)}`)
  return { name, aliases }
}

const categoryLabels: Record<CrimeCategory, string> = {
  TERRORISM: 'terrorist financing and recruitment',
  ILLICIT_DRUG_TRAFFICKING: 'methamphetamine and ketamine trafficking',
  TRAFFICKING_IN_PERSONS: 'recruitment and exploitation of trafficked workers in scam compounds',
  PEOPLE_SMUGGLING: 'migrant smuggling',
  MONEY_LAUNDERING: 'laundering of fraud proceeds through mule accounts and USDT',
  ARMS_SMUGGLING: 'firearms smuggling',
  SEA_PIRACY: 'armed robbery against ships',
  INTERNATIONAL_ECONOMIC_CRIME: 'online investment, romance and impersonation scams',
  CYBERCRIME: 'phishing, malware and account takeover',
  WILDLIFE_AND_TIMBER_TRAFFICKING: 'wildlife and timber trafficking',
}

export function syndicateDescription(
  category: CrimeCategory,
  countryNames: readonly string[],
  caseCount: number,
): string {
  return `Runs ${categoryLabels[category]} across ${countryNames.join(', ')}.\nLinked to ${caseCount} case${caseCount === 1 ? '' : 's'} of this agency.`
}

const reportTitles: readonly ((place: string, syndicate: string) => string)[] = [
  (place) => `Recruitment adverts for work in ${place} posted on Telegram`,
  (_, syndicate) => `New mule accounts opened for ${syndicate}`,
  (place) => `Compound workers moved from ${place} after a raid`,
  (_, syndicate) => `USDT wallet cluster linked to ${syndicate}`,
  (place) => `Reported sighting of a wanted suspect in ${place}`,
  (_, syndicate) => `Leadership change in ${syndicate}`,
]

const reportBodies: readonly ((place: string, syndicate: string) => string)[] = [
  (place, syndicate) =>
    `Source reports that ${syndicate} is recruiting drivers and "translators" for sites in ${place}.`,
  (place) =>
    `Several victims\u2019 relatives describe the same compound near ${place}; guards armed.\nFurther corroboration requested.`,
  (_, syndicate) =>
    `Transaction analysis links the wallets to payouts made by ${syndicate}, amounts between USDT 2,000 and 40,000.`,
  (place) =>
    `Information from a returned worker: about 300 people held at the site in ${place}, mostly from the region.`,
]

export function reportTitle(random: Random, place: string, syndicate: string): string {
  return random.pick(reportTitles)(place, syndicate)
}

export function reportBody(random: Random, place: string, syndicate: string): string {
  return random.pick(reportBodies)(place, syndicate)
}

const atRiskNotes = [
  'Contacted family via Telegram from inside the compound; passport confiscated.',
  'Told relatives they must pay a "transfer fee" before release.',
  'Location shared once before the phone was taken away.',
  'Reported to be held with about 40 other nationals.',
  '',
]

const suspectNotes = [
  'Uses several SIM cards; contacts victims through messaging apps.',
  'Believed to manage the payout accounts.',
  'Known as a recruiter who posts job adverts on social media.',
  '',
  '',
]

export function personNote(random: Random, atRisk: boolean): string {
  return random.pick(atRisk ? atRiskNotes : suspectNotes)
}
