/**
 * The agencies the synthetic data knows by name. Any other code of the form `XX-ACRONYM` works too,
 * as long as its country prefix has a synthetic data profile.
 */
import { agencyCodePattern } from '../../schema/vocabulary.ts'
import { countryProfiles } from './countries.ts'

export interface SeedAgency {
  code: string
  name: string
  /** ISO 3166-1 alpha-2 country of the agency, the prefix of its code. */
  country: string
}

/** The agencies of the demo federation (`jaring demo`). */
export const demoAgencies: readonly SeedAgency[] = [
  { code: 'HK-HKPF', name: 'Hong Kong Police Force', country: 'HK' },
  { code: 'TH-RTP', name: 'Royal Thai Police', country: 'TH' },
  { code: 'VN-MPS', name: 'Ministry of Public Security of Viet Nam', country: 'VN' },
]

/** Why an agency code cannot be seeded, or null when it can. */
export function agencyCodeProblem(code: string): string | null {
  if (!agencyCodePattern.test(code)) {
    return `agency code "${code}" must look like TH-RTP: a two-letter country code, a dash and 2 to 10 capitals or digits`
  }
  const country = code.slice(0, 2)
  if (!Object.hasOwn(countryProfiles, country)) {
    return `no synthetic data for country ${country}; known countries: ${Object.keys(countryProfiles).sort().join(', ')}`
  }
  return null
}

export function seedAgency(code: string): SeedAgency {
  const problem = agencyCodeProblem(code)
  if (problem) throw new Error(problem)
  const known = demoAgencies.find((agency) => agency.code === code)
  return known ?? { code, name: code, country: code.slice(0, 2) }
}
