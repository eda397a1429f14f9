/**
 * Ties the REST schemas to the GraphQL contract (`schema/*.graphql`): a REST object mirrors a
 * GraphQL type field by field, with the same names. Descriptions and input defaults come from the
 * SDL, and building a schema fails at start when a property is not a field of the type or when its
 * optionality disagrees with the field's nullability. A test checks the reverse (every field of the
 * type has its property, or is left out by name), so the two cannot drift apart.
 */
import {
  type GraphQLField,
  type GraphQLInputField,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  isNonNullType,
} from 'graphql'
import Type, { type TObject, type TProperties } from 'typebox'
import { buildJaringSchema } from '../../../schema/index.ts'

export const contract = buildJaringSchema()

type AnyField = GraphQLField<unknown, unknown> | GraphQLInputField

export function contractFields(typeName: string): Record<string, AnyField> {
  const type = contract.getType(typeName)
  if (
    type instanceof GraphQLInputObjectType ||
    type instanceof GraphQLObjectType ||
    type instanceof GraphQLInterfaceType
  ) {
    return type.getFields() as Record<string, AnyField>
  }
  throw new Error(`The GraphQL contract has no object or input type ${typeName}`)
}

export interface MirrorOptions {
  /** Fields of the GraphQL type this REST object leaves out on purpose (named, so it is deliberate). */
  omitted?: readonly string[]
  /** Properties the GraphQL type does not have (the import's links by external reference). */
  extensions?: readonly string[]
  /** A query string: optional parameters are simply absent, never `null`. */
  query?: boolean
}

export interface Mirror {
  typeName: string
  options: MirrorOptions
}

const mirrors = new WeakMap<object, Mirror>()

/** Which GraphQL type a REST object schema mirrors, for the coverage test. */
export function mirrorOf(schema: object): Mirror | undefined {
  return mirrors.get(schema)
}

function described(field: AnyField, withDefault: boolean): Record<string, unknown> {
  return {
    ...(field.description ? { description: field.description } : {}),
    ...(withDefault && 'defaultValue' in field && field.defaultValue !== undefined
      ? { default: field.defaultValue }
      : {}),
  }
}

function finish<P extends TProperties>(
  typeName: string,
  properties: TProperties,
  options: MirrorOptions,
): TObject<P> {
  const description = contract.getType(typeName)?.description
  const schema = Type.Object(properties, {
    additionalProperties: false,
    ...(description ? { description } : {}),
  }) as unknown as TObject<P>
  mirrors.set(schema, { typeName, options })
  return schema
}

function fieldOf(typeName: string, fields: Record<string, AnyField>, name: string, options: MirrorOptions) {
  const field = fields[name]
  if (!field && !options.extensions?.includes(name)) throw new Error(`${typeName} has no field ${name}`)
  if (field && options.omitted?.includes(name))
    throw new Error(`${typeName}.${name} is both mirrored and omitted`)
  return field
}

/**
 * An input object mirroring the GraphQL input type `typeName`: unknown properties refused; an
 * optional property (a nullable GraphQL field) also accepts `null`, as GraphQL does, and carries
 * the SDL's default. The static type is the non-null view.
 */
export function mirrorInput<P extends TProperties>(
  typeName: string,
  properties: P,
  options: MirrorOptions = {},
): TObject<P> {
  const fields = contractFields(typeName)
  const mirrored: TProperties = {}
  for (const [name, property] of Object.entries(properties)) {
    const field = fieldOf(typeName, fields, name, options)
    const optional = Type.IsOptional(property)
    if (!field) {
      mirrored[name] = property
      continue
    }
    if (isNonNullType(field.type) === optional) {
      throw new Error(`${typeName}.${name}: optional in REST exactly when nullable in GraphQL`)
    }
    if (!optional) mirrored[name] = Type.Unsafe({ ...property, ...described(field, false) })
    else if (options.query)
      mirrored[name] = Type.Optional(Type.Unsafe({ ...property, ...described(field, false) }))
    else mirrored[name] = Type.Optional(Type.Union([property, Type.Null()], described(field, true)))
  }
  return finish(typeName, mirrored, options)
}

/**
 * An output object mirroring the GraphQL object type `typeName`: every property is always present,
 * `null` where the GraphQL field is nullable (unknown, or withheld by a policy).
 */
export function mirrorOutput<P extends TProperties>(
  typeName: string,
  properties: P,
  options: MirrorOptions = {},
): TObject<P> {
  const fields = contractFields(typeName)
  const mirrored: TProperties = {}
  for (const [name, property] of Object.entries(properties)) {
    const field = fieldOf(typeName, fields, name, options)
    if (Type.IsOptional(property))
      throw new Error(`${typeName}.${name}: output properties are always present`)
    if (!field) {
      mirrored[name] = property
      continue
    }
    mirrored[name] = isNonNullType(field.type)
      ? Type.Unsafe({ ...property, ...described(field, false) })
      : Type.Union([property, Type.Null()], described(field, false))
  }
  return finish(typeName, mirrored, options)
}
