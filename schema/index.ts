import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { buildSchema, type GraphQLSchema } from 'graphql'

/**
 * The contract every node serves, in the order it is joined. The order is part of the contract:
 * it fixes the text, and so the hash that nodes compare with each other.
 */
export const sdlFiles = [
  'common.graphql',
  'vocabulary.graphql',
  'records.graphql',
  'query.graphql',
  'mutation.graphql',
  'audit.graphql',
  'statistics.graphql',
] as const

/** Line endings are normalised so a checkout with CRLF hashes the same as one with LF. */
const readSdlFile = (name: string) =>
  readFileSync(new URL(name, import.meta.url), 'utf8')
    .replaceAll('\r\n', '\n')
    .trim()

export const sdl: string = `${sdlFiles.map(readSdlFile).join('\n\n')}\n`

export function hashSdl(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** SHA-256 (hex) of `sdl`: peers refuse to talk to a node whose contract differs. */
export const schemaHash: string = hashSdl(sdl)

export function buildJaringSchema(): GraphQLSchema {
  return buildSchema(sdl)
}

/**
 * GraphQL-only vocabularies: they describe exchanges between nodes, not stored records, so the
 * database has no enum for them. Same values and order as the enums in common.graphql.
 */
export const peerStatuses = ['ANSWERED', 'DENIED', 'TIMEOUT', 'UNAVAILABLE', 'ERROR'] as const
export type PeerStatus = (typeof peerStatuses)[number]

export const purposes = ['INVESTIGATION', 'RESCUE', 'INTELLIGENCE_ANALYSIS', 'STATISTICS'] as const
export type Purpose = (typeof purposes)[number]

/** What a statistics query counts and groups by (statistics.graphql). */
export const statisticsMeasures = [
  'CASES_OPENED',
  'CASES_CLOSED',
  'SUSPECTS',
  'VICTIMS',
  'PERSONS_AT_RISK',
  'PERSONS_RESCUED',
  'PERSONS_REPATRIATED',
  'ACTIVE_SYNDICATES',
] as const
export type StatisticsMeasure = (typeof statisticsMeasures)[number]

export const statisticsDimensions = [
  'AGENCY',
  'CRIME_CATEGORY',
  'MONTH',
  'YEAR',
  'NATIONALITY',
  'STATUS',
] as const
export type StatisticsDimension = (typeof statisticsDimensions)[number]
