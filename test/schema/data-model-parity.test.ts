import { type Column, getTableColumns, is, SQL, type Table } from 'drizzle-orm'
import { PgArray, PgEnumColumn } from 'drizzle-orm/pg-core'
import {
  type GraphQLInputType,
  type GraphQLOutputType,
  getNullableType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
} from 'graphql'
import { describe, expect, it } from 'vitest'
import { databaseEnums } from '../../db/schema/enums.ts'
import {
  cases,
  identifiers,
  intelReports,
  personNames,
  persons,
  syndicates,
} from '../../db/schema/records.ts'
import { buildJaringSchema } from '../../schema/index.ts'

const schema = buildJaringSchema()

interface Mapping {
  table: Table
  /** Columns the contract does not expose, and why. */
  internal: Record<string, string>
  /** Columns the node computes on write, so no input carries them. */
  derived?: string[]
  /** GraphQL types that differ from what the column type alone suggests. */
  typeOverrides?: Record<string, string>
  createInput: string
  updateInput?: string
  /** Input fields that write links to other rows rather than columns. */
  links?: string[]
  /** Column defaults an input deliberately does not repeat, and why. */
  defaultsNotRepeated?: Record<string, string>
}

const recordInternal = {
  agency: 'served as source.agency',
  globalId: 'served as id',
}
const systemColumns = ['id', 'createdAt', 'updatedAt', 'version']

const mappings: Record<string, Mapping> = {
  Case: {
    table: cases,
    internal: { ...recordInternal, openedMonth: 'statistics', closedMonth: 'statistics' },
    createInput: 'CreateCaseInput',
    updateInput: 'UpdateCaseInput',
    links: ['persons'],
  },
  Person: {
    table: persons,
    internal: { ...recordInternal, statusMonth: 'statistics' },
    derived: ['dateOfBirthPrecision'],
    typeOverrides: { dateOfBirth: 'PartialDate' },
    createInput: 'CreatePersonInput',
    updateInput: 'UpdatePersonInput',
    links: ['names', 'identifiers'],
  },
  Syndicate: {
    table: syndicates,
    internal: recordInternal,
    typeOverrides: { countries: '[CountryCode!]' },
    createInput: 'CreateSyndicateInput',
    updateInput: 'UpdateSyndicateInput',
    links: ['members', 'caseIds'],
  },
  IntelReport: {
    table: intelReports,
    internal: { ...recordInternal, reportedMonth: 'statistics' },
    createInput: 'CreateIntelReportInput',
    updateInput: 'UpdateIntelReportInput',
    links: ['subjectIds'],
  },
  PersonName: {
    table: personNames,
    internal: {
      id: 'a row id, not part of the contract',
      personId: 'the parent',
      tokens: 'for matching only',
    },
    createInput: 'PersonNameInput',
    defaultsNotRepeated: { script: 'detected from fullName when left out' },
  },
  Identifier: {
    table: identifiers,
    internal: { agency: 'the parent person’s agency', personId: 'the parent', createdAt: 'bookkeeping' },
    derived: ['normalised'],
    createInput: 'IdentifierInput',
  },
}

const scalarByColumnType: Record<string, string> = {
  PgUUID: 'ID',
  PgVarchar: 'String',
  PgText: 'String',
  PgChar: 'CountryCode',
  PgDateString: 'Date',
  PgTimestamp: 'DateTime',
  PgInteger: 'Int',
  PgBoolean: 'Boolean',
}

const enumNameByDatabaseName = new Map(
  Object.entries(databaseEnums).map(([graphqlName, pgEnum]) => [pgEnum.enumName, graphqlName]),
)

/** The GraphQL type a column should surface as, without its outer non-null. */
function expectedType(column: Column): string {
  if (is(column, PgArray)) return `[${expectedType(column.baseColumn)}!]`
  if (is(column, PgEnumColumn))
    return enumNameByDatabaseName.get(column.enum.enumName) ?? `enum ${column.enum.enumName}`
  return scalarByColumnType[column.columnType] ?? `column type ${column.columnType}`
}

const withoutNonNull = (type: GraphQLOutputType | GraphQLInputType) => getNullableType(type).toString()

function objectFields(name: string) {
  const type = schema.getType(name)
  if (!isObjectType(type)) throw new Error(`${name} is not an object type`)
  return type.getFields()
}

function inputFields(name: string) {
  const type = schema.getType(name)
  if (!isInputObjectType(type)) throw new Error(`${name} is not an input type`)
  return type.getFields()
}

function exposedColumns(mapping: Mapping) {
  return Object.entries(getTableColumns(mapping.table)).filter(([key]) => !(key in mapping.internal))
}

function writableColumns(mapping: Mapping) {
  return exposedColumns(mapping).filter(
    ([key]) => !systemColumns.includes(key) && !(mapping.derived ?? []).includes(key),
  )
}

describe.each(Object.entries(mappings))('%s matches its table', (typeName, mapping) => {
  it('names only real columns as internal or derived', () => {
    const columns = Object.keys(getTableColumns(mapping.table))
    for (const key of [...Object.keys(mapping.internal), ...(mapping.derived ?? [])]) {
      expect(columns, key).toContain(key)
    }
  })

  it('exposes every column under its own name, type and nullability', () => {
    const fields = objectFields(typeName)
    for (const [key, column] of exposedColumns(mapping)) {
      const field = fields[key]
      expect(field, `${typeName}.${key}`).toBeDefined()
      if (!field) continue
      expect(withoutNonNull(field.type), `${typeName}.${key}`).toBe(
        mapping.typeOverrides?.[key] ?? expectedType(column),
      )
      if (!column.notNull) expect(isNonNullType(field.type), `${typeName}.${key} may be null`).toBe(false)
    }
  })

  it(`is written through ${mapping.createInput}, with the table's defaults`, () => {
    const fields = inputFields(mapping.createInput)
    const writable = writableColumns(mapping)
    expect(Object.keys(fields).sort()).toEqual(
      [...writable.map(([key]) => key), ...(mapping.links ?? [])].sort(),
    )
    for (const [key, column] of writable) {
      const field = fields[key]
      if (!field) continue
      const name = `${mapping.createInput}.${key}`
      expect(withoutNonNull(field.type), name).toBe(mapping.typeOverrides?.[key] ?? expectedType(column))
      expect(isNonNullType(field.type), `${name} is required`).toBe(column.notNull && !column.hasDefault)
      const columnDefault = column.hasDefault && !is(column.default, SQL) ? column.default : undefined
      if (key in (mapping.defaultsNotRepeated ?? {})) expect(field.defaultValue, name).toBeUndefined()
      else if (columnDefault !== undefined) expect(field.defaultValue, name).toEqual(columnDefault)
      else if (field.defaultValue !== undefined) {
        expect(column.hasDefault, `${name} has a default the table lacks`).toBe(true)
      }
    }
  })
})

const updatable = Object.entries(mappings).flatMap(([typeName, { createInput, updateInput }]) =>
  updateInput ? [{ typeName, createInput, updateInput }] : [],
)

describe.each(updatable)('$typeName', ({ createInput, updateInput }) => {
  it(`is changed through ${updateInput}: id, version, then the create fields as optional`, () => {
    const create = inputFields(createInput)
    const update = inputFields(updateInput)
    expect(Object.keys(update)).toEqual([
      'id',
      'version',
      ...Object.keys(create).filter((key) => key !== 'externalRef'),
    ])
    expect(update.id?.type.toString()).toBe('ID!')
    expect(update.version?.type.toString()).toBe('Int!')
    for (const [key, field] of Object.entries(update)) {
      if (key === 'id' || key === 'version') continue
      expect(isNonNullType(field.type), `${updateInput}.${key} is optional`).toBe(false)
      expect(field.defaultValue, `${updateInput}.${key} has no default`).toBeUndefined()
      expect(withoutNonNull(field.type), `${updateInput}.${key}`).toBe(
        withoutNonNull(create[key]?.type ?? field.type),
      )
    }
  })
})
