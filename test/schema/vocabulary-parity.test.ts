import { readFileSync } from 'node:fs'
import { buildSchema, type GraphQLSchema, isEnumType } from 'graphql'
import { describe, expect, it } from 'vitest'
import { databaseEnums } from '../../db/schema/enums.ts'
import {
  buildJaringSchema,
  peerStatuses,
  purposes,
  sdl,
  statisticsDimensions,
  statisticsMeasures,
} from '../../schema/index.ts'
import { vocabularies } from '../../schema/vocabulary.ts'

const schema = buildJaringSchema()
const vocabularyNames = Object.keys(vocabularies) as (keyof typeof vocabularies)[]
const databaseEnumNames = Object.keys(databaseEnums) as (keyof typeof databaseEnums)[]

/** Vocabularies of the GraphQL contract only: they describe exchanges, not stored records. */
const graphqlOnlyEnums: Record<string, readonly string[]> = {
  PeerStatus: peerStatuses,
  Purpose: purposes,
  StatisticsMeasure: statisticsMeasures,
  StatisticsDimension: statisticsDimensions,
}

/** Vocabularies that are never stored as a database enum, and why. */
const vocabulariesWithoutDatabaseEnum = {
  IntelSubjectKind: 'stored as which of the case, person or syndicate columns of intel_subjects is set',
} as const

function graphqlEnums(target: GraphQLSchema): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(target.getTypeMap())
      .filter((type) => isEnumType(type) && !type.name.startsWith('__'))
      .map((type) => [type.name, isEnumType(type) ? type.getValues().map((value) => value.name) : []]),
  )
}

/** Every difference between the vocabularies and a schema's enums, as readable lines. */
function graphqlDrift(target: GraphQLSchema): string[] {
  const enums = graphqlEnums(target)
  const expected: Record<string, readonly string[]> = { ...vocabularies, ...graphqlOnlyEnums }
  const drift: string[] = []
  for (const [name, values] of Object.entries(expected)) {
    const actual = enums[name]
    if (!actual) drift.push(`${name}: no GraphQL enum`)
    else if (actual.join() !== values.join())
      drift.push(`${name}: GraphQL ${actual.join()} != ${values.join()}`)
  }
  for (const name of Object.keys(enums)) {
    if (!(name in expected)) drift.push(`${name}: GraphQL enum without a vocabulary`)
  }
  return drift
}

/**
 * The enum types the committed migrations leave behind, by database name, replayed in journal
 * order. Drizzle-kit changes an enum by ADD VALUE or by DROP and CREATE; any other change to a
 * type is refused here so that it cannot slip past the comparison.
 */
function enumsAfterMigrations(sqlFiles: readonly string[]): Map<string, string[]> {
  const enums = new Map<string, string[]>()
  const literals = (text: string) =>
    [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replaceAll("''", "'"))
  const typeName = String.raw`(?:"?\w+"?\.)?"?(\w+)"?`
  const statements = sqlFiles.flatMap((text) => text.split(/--> statement-breakpoint|;\s*$/m))
  for (const raw of statements) {
    const statement = raw.replace(/^\s*--.*$/gm, '').trim()
    if (!/^(CREATE|ALTER|DROP)\s+TYPE\b/i.test(statement)) continue
    const create = new RegExp(String.raw`^CREATE\s+TYPE\s+${typeName}\s+AS\s+ENUM\s*\(([^)]*)\)`, 'i').exec(
      statement,
    )
    const drop = new RegExp(String.raw`^DROP\s+TYPE\s+(?:IF\s+EXISTS\s+)?${typeName}`, 'i').exec(statement)
    const addValue = new RegExp(
      String.raw`^ALTER\s+TYPE\s+${typeName}\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?('(?:[^']|'')*')(?:\s+(BEFORE|AFTER)\s+('(?:[^']|'')*'))?`,
      'i',
    ).exec(statement)
    const renameValue = new RegExp(
      String.raw`^ALTER\s+TYPE\s+${typeName}\s+RENAME\s+VALUE\s+('(?:[^']|'')*')\s+TO\s+('(?:[^']|'')*')`,
      'i',
    ).exec(statement)
    if (create?.[1]) {
      enums.set(create[1], literals(create[2] ?? ''))
    } else if (drop?.[1]) {
      enums.delete(drop[1])
    } else if (addValue?.[1]) {
      const values = enums.get(addValue[1])
      if (!values) throw new Error(`A migration adds a value to an unknown enum: ${statement}`)
      const [added = ''] = literals(addValue[2] ?? '')
      if (values.includes(added)) continue
      const [anchor = ''] = literals(addValue[4] ?? '')
      const anchorAt = values.indexOf(anchor)
      if (addValue[3] && anchorAt < 0)
        throw new Error(`A migration anchors a new value on an unknown one: ${statement}`)
      const position = !addValue[3]
        ? values.length
        : addValue[3].toUpperCase() === 'BEFORE'
          ? anchorAt
          : anchorAt + 1
      values.splice(position, 0, added)
      enums.set(addValue[1], values)
    } else if (renameValue?.[1]) {
      const [from = '', to = ''] = literals(`${renameValue[2]} ${renameValue[3]}`)
      enums.set(
        renameValue[1],
        (enums.get(renameValue[1]) ?? []).map((value) => (value === from ? to : value)),
      )
    } else {
      throw new Error(`A migration changes a type in a way this test cannot follow: ${statement}`)
    }
  }
  return enums
}

function committedMigrations(): string[] {
  const migrations = new URL('../../db/migrations/', import.meta.url)
  const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', migrations), 'utf8')) as {
    entries: { idx: number; tag: string }[]
  }
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map((entry) => readFileSync(new URL(`${entry.tag}.sql`, migrations), 'utf8'))
}

describe('vocabulary parity', () => {
  const enums = graphqlEnums(schema)

  it.each(vocabularyNames)('the GraphQL enum %s has exactly the vocabulary values, in order', (name) => {
    expect(enums[name]).toEqual([...vocabularies[name]])
  })

  it.each(databaseEnumNames)(
    'the database enum for %s has exactly the vocabulary values, in order',
    (name) => {
      expect(databaseEnums[name].enumValues).toEqual([...vocabularies[name]])
    },
  )

  it('has a GraphQL enum for every vocabulary and a vocabulary for every GraphQL enum', () => {
    expect(graphqlDrift(schema)).toEqual([])
  })

  it('notices a GraphQL enum that drifts from its vocabulary', () => {
    const reordered = sdl.replace(/enum Tlp \{[^}]*\}/, 'enum Tlp { CLEAR GREEN AMBER RED AMBER_STRICT }')
    const extra = sdl.replace(/enum Gender \{/, 'enum Gender {\n  NONBINARY')
    const unknown = `${sdl}\nenum Colour { RED }\n`
    expect(graphqlDrift(buildSchema(reordered))).toEqual([
      'Tlp: GraphQL CLEAR,GREEN,AMBER,RED,AMBER_STRICT != CLEAR,GREEN,AMBER,AMBER_STRICT,RED',
    ])
    expect(graphqlDrift(buildSchema(extra))).toEqual([
      'Gender: GraphQL NONBINARY,FEMALE,MALE,OTHER,UNKNOWN != FEMALE,MALE,OTHER,UNKNOWN',
    ])
    expect(graphqlDrift(buildSchema(unknown))).toEqual(['Colour: GraphQL enum without a vocabulary'])
  })

  it('stores every vocabulary as a database enum, except the listed ones', () => {
    const withoutDatabaseEnum = vocabularyNames.filter((name) => !(name in databaseEnums))
    expect(withoutDatabaseEnum).toEqual(Object.keys(vocabulariesWithoutDatabaseEnum))
    expect(databaseEnumNames.filter((name) => !(name in vocabularies))).toEqual([])
  })
})

describe('migration parity', () => {
  const migrated = enumsAfterMigrations(committedMigrations())

  it.each(databaseEnumNames)(
    'the committed migrations create the enum for %s with exactly its values',
    (name) => {
      const { enumName } = databaseEnums[name]
      expect(migrated.get(enumName), enumName).toEqual([...vocabularies[name]])
    },
  )

  it('create no enum type that the data model does not declare', () => {
    const declared = databaseEnumNames.map((name) => databaseEnums[name].enumName)
    expect([...migrated.keys()].sort()).toEqual(declared.sort())
  })

  it('follows how drizzle-kit changes an enum: add a value, drop and recreate, rename', () => {
    const replayed = enumsAfterMigrations([
      `CREATE TYPE "public"."tlp" AS ENUM('CLEAR', 'AMBER');--> statement-breakpoint
CREATE TYPE "public"."shade" AS ENUM('LIGHT');`,
      `ALTER TYPE "public"."tlp" ADD VALUE 'GREEN' BEFORE 'AMBER';--> statement-breakpoint
ALTER TYPE "public"."tlp" ADD VALUE 'RED';--> statement-breakpoint
ALTER TYPE "public"."tlp" ADD VALUE 'AMBER_STRICT' AFTER 'AMBER';--> statement-breakpoint
DROP TYPE "public"."shade";--> statement-breakpoint
CREATE TYPE "public"."gender" AS ENUM('F', 'M');--> statement-breakpoint
ALTER TYPE "public"."gender" RENAME VALUE 'F' TO 'FEMALE';`,
    ])
    expect(Object.fromEntries(replayed)).toEqual({
      tlp: ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'],
      gender: ['FEMALE', 'M'],
    })
    expect(() => enumsAfterMigrations(['ALTER TYPE "public"."tlp" OWNER TO someone;'])).toThrow(
      /cannot follow/,
    )
  })
})
