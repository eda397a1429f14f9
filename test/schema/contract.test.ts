import { readdirSync } from 'node:fs'
import {
  assertValidSchema,
  buildSchema,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
} from 'graphql'
import { describe, expect, it } from 'vitest'
import {
  buildJaringSchema,
  hashSdl,
  peerStatuses,
  purposes,
  schemaHash,
  sdl,
  sdlFiles,
} from '../../schema/index.ts'

const schema = buildJaringSchema()

/** Every place in the schema that the contract requires to be described, with what is missing. */
function undescribed(target: GraphQLSchema): string[] {
  const missing: string[] = []
  const blank = (text: string | null | undefined) => !text?.trim()
  for (const type of Object.values(target.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue
    if (blank(type.description)) missing.push(type.name)
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`)
        for (const arg of field.args) {
          if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`)
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`)
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (blank(value.description)) missing.push(`${type.name}.${value.name}`)
      }
    }
  }
  return missing
}

function rootField(typeName: 'Query' | 'Mutation', name: string): GraphQLField<unknown, unknown> {
  const root = typeName === 'Query' ? schema.getQueryType() : schema.getMutationType()
  const field = root?.getFields()[name]
  if (!field) throw new Error(`${typeName}.${name} is missing`)
  return field
}

const typeOf = (field: GraphQLField<unknown, unknown>) => field.type.toString()
const argumentsOf = (field: GraphQLField<unknown, unknown>) =>
  Object.fromEntries(field.args.map((arg) => [arg.name, arg.type.toString()]))

describe('the GraphQL contract', () => {
  it('parses and builds into a valid schema', () => {
    expect(() => assertValidSchema(schema)).not.toThrow()
    expect(schema.getQueryType()?.name).toBe('Query')
    expect(schema.getMutationType()?.name).toBe('Mutation')
  })

  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed(schema)).toEqual([])
  })

  it('notices an undescribed field', () => {
    const bare = buildSchema(
      sdl.replace('"The owning agency."\n  agency: AgencyCode!', 'agency: AgencyCode!'),
    )
    expect(undescribed(bare)).toEqual(['Source.agency'])
  })

  it('is joined from every .graphql file in schema/, in the fixed order', () => {
    const onDisk = readdirSync(new URL('../../schema/', import.meta.url)).filter((name) =>
      name.endsWith('.graphql'),
    )
    expect([...sdlFiles].sort()).toEqual(onDisk.sort())
    const definitionsInOrder = [
      'scalar DateTime',
      'enum Tlp',
      'type Case implements Record',
      'type Query',
      'type Mutation',
    ]
    const positions = definitionsInOrder.map((text) => sdl.indexOf(text))
    expect(positions.every((position) => position >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
  })

  it('has the list fields of the fixed interface points, with filter, first, after and reach', () => {
    const lists = {
      cases: ['CaseFilter', 'CaseConnection', 'Case'],
      persons: ['PersonFilter', 'PersonConnection', 'Person'],
      syndicates: ['SyndicateFilter', 'SyndicateConnection', 'Syndicate'],
      intelReports: ['IntelReportFilter', 'IntelReportConnection', 'IntelReport'],
    } as const
    for (const [name, [filter, connection, node]] of Object.entries(lists)) {
      const field = rootField('Query', name)
      expect(argumentsOf(field)).toEqual({ filter, first: 'Int', after: 'Cursor', reach: 'Reach' })
      expect(field.args.find((arg) => arg.name === 'first')?.defaultValue).toBe(20)
      expect(typeOf(field)).toBe(`${connection}!`)
      const connectionType = schema.getType(connection)
      if (!isObjectType(connectionType)) throw new Error(`${connection} is not an object type`)
      const fields = connectionType.getFields()
      expect(Object.keys(fields)).toEqual(['nodes', 'pageInfo', 'peers'])
      expect(fields.nodes?.type.toString()).toBe(`[${node}!]!`)
      expect(fields.pageInfo?.type.toString()).toBe('PageInfo!')
      expect(fields.peers?.type.toString()).toBe('[PeerReport!]!')
    }
  })

  it('fetches any record by global id', () => {
    const field = rootField('Query', 'record')
    expect(argumentsOf(field)).toEqual({ id: 'ID!', reach: 'Reach' })
    expect(typeOf(field)).toBe('Record')
    const implementations = schema
      .getImplementations(schema.getType('Record') as never)
      .objects.map((t) => t.name)
    expect(implementations.sort()).toEqual(['Case', 'IntelReport', 'Person', 'Syndicate'])
  })

  it('reports peers, pages and sources in the shape the fixed interface points name', () => {
    const fieldsOf = (name: string) => {
      const type = schema.getType(name)
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`)
      return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, typeOf(field)]))
    }
    expect(fieldsOf('PeerReport')).toEqual({
      agency: 'AgencyCode!',
      status: 'PeerStatus!',
      latencyMs: 'Int',
      code: 'String',
    })
    expect(fieldsOf('PageInfo')).toEqual({ hasNextPage: 'Boolean!', endCursor: 'Cursor' })
    expect(fieldsOf('Source')).toEqual({ agency: 'AgencyCode!' })
    const reach = schema.getType('Reach')
    if (!isInputObjectType(reach)) throw new Error('Reach is not an input type')
    expect(Object.keys(reach.getFields())).toEqual(['agencies', 'all', 'purpose', 'caseReference'])
    expect(Object.values(reach.getFields()).every((field) => !isNonNullType(field.type))).toBe(true)
  })

  it('has a create and an update mutation per record type, each returning the record', () => {
    for (const record of ['Case', 'Person', 'Syndicate', 'IntelReport']) {
      const create = rootField('Mutation', `create${record}`)
      expect(argumentsOf(create)).toEqual({ input: `Create${record}Input!` })
      expect(typeOf(create)).toBe(`${record}!`)
      const update = rootField('Mutation', `update${record}`)
      expect(argumentsOf(update)).toEqual({ input: `Update${record}Input!` })
      expect(typeOf(update)).toBe(`${record}!`)
    }
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {})).toHaveLength(8)
  })

  it('lets an intelligence report be about a case, a person or a syndicate', () => {
    const subject = schema.getType('IntelSubject')
    if (!isUnionType(subject)) throw new Error('IntelSubject is not a union')
    expect(subject.getTypes().map((type) => type.name)).toEqual(['Case', 'Person', 'Syndicate'])
    const report = schema.getType('IntelReport')
    if (!isObjectType(report)) throw new Error('IntelReport is not an object type')
    const subjects = report.getFields().subjects
    expect(subjects && isNonNullType(subjects.type) && isListType(subjects.type.ofType)).toBe(true)
    expect(subjects && getNamedType(subjects.type).name).toBe('IntelSubject')
  })
})

describe('GraphQL-only vocabularies', () => {
  const valuesOf = (name: string) => {
    const type = schema.getType(name)
    if (!isEnumType(type)) throw new Error(`${name} is not an enum`)
    return type.getValues().map((value) => value.name)
  }

  it('peerStatuses equals the PeerStatus enum', () => {
    expect(valuesOf('PeerStatus')).toEqual([...peerStatuses])
  })

  it('purposes equals the Purpose enum', () => {
    expect(valuesOf('Purpose')).toEqual([...purposes])
  })
})

describe('the schema hash', () => {
  it('is the SHA-256 of the SDL as 64 hex characters', () => {
    expect(schemaHash).toMatch(/^[0-9a-f]{64}$/)
    expect(schemaHash).toBe(hashSdl(sdl))
    expect(hashSdl('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('changes when the SDL changes, even by one character', () => {
    expect(hashSdl(`${sdl} `)).not.toBe(schemaHash)
    expect(hashSdl(sdl.replace('first: Int = 20', 'first: Int = 21'))).not.toBe(schemaHash)
  })
})
