/**
 * Property (b) of the policy issue: for random policies and random records, no value a rule
 * withholds appears anywhere in the serialised answer (the released record and the withheld
 * report together), a masked value shows nothing beyond its kept suffix, a generalised date
 * nothing beyond its year; and what a rule allows is released unchanged.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crimeCategories, identifierKinds } from '../../../schema/vocabulary.ts'
import { compilePolicy } from '../../../services/node/policy/compile.ts'
import { decide } from '../../../services/node/policy/decide.ts'
import { applyFieldRules } from '../../../services/node/policy/fields.ts'
import {
  type FieldRuleName,
  type PolicyResource,
  policyResources,
  resourceModels,
} from '../../../services/node/policy/resources.ts'
import { agreement, policyDocument } from './documents.ts'

let fieldsSoFar = 0
/**
 * Text from a large alphabet (CJK ideographs) between two markers of its own field (Hangul
 * syllables), so that a fragment found in the answer can only have come from that field.
 */
const distinctive = (minLength = 6) => {
  const marker = 0xac00 + 2 * fieldsSoFar++
  return fc
    .string({
      unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((code) => String.fromCodePoint(code)),
      minLength,
      maxLength: 24,
    })
    .map((text) => `${String.fromCodePoint(marker)}${text}${String.fromCodePoint(marker + 1)}`)
}
/** User-assigned ISO codes, a pair per field, that appear nowhere else in a record. */
const country = (codes: [string, string]) => fc.constantFrom(...codes)
const dateIn = (fromYear: number, toYear: number) =>
  fc
    .date({
      min: new Date(`${fromYear}-01-01T00:00:00Z`),
      max: new Date(`${toYear}-12-31T00:00:00Z`),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 10))
const monthOf = (date: string) => `${date.slice(0, 7)}-01`

const recordBase = {
  id: 'TH-RTP:7d1f3c9a-2b4e-4f6a-8c0d-1e2f3a4b5c6d',
  uuid: '7d1f3c9a-2b4e-4f6a-8c0d-1e2f3a4b5c6d',
  agency: 'TH-RTP',
  externalRef: 'REF-1',
  tlp: 'GREEN',
  handlingCode: 'H3',
  createdAt: '2026-03-01T08:00:00.000Z',
  updatedAt: '2026-03-02T08:00:00.000Z',
  version: 1,
}

const records = {
  cases: fc
    .record({
      title: distinctive(),
      summary: distinctive(),
      location: distinctive(),
      closedOn: dateIn(2010, 2025),
      crimeCategory: fc.constantFrom(...crimeCategories),
    })
    .map((row) => ({ ...recordBase, ...row, closedMonth: monthOf(row.closedOn), openedOn: '2009-05-05' })),
  persons: fc
    .record({
      names: fc.array(fc.record({ fullName: distinctive(), romanised: distinctive() }), {
        minLength: 1,
        maxLength: 3,
      }),
      dateOfBirth: dateIn(1940, 1999),
      nationality: country(['QM', 'QN']),
      lastKnownCountry: country(['QP', 'QR']),
      statusChangedOn: dateIn(2010, 2025),
      notes: distinctive(),
    })
    .map((row) => ({
      ...recordBase,
      ...row,
      names: row.names.map((name, index) => ({
        kind: index === 0 ? 'PRIMARY' : 'ALIAS',
        script: 'Hani',
        ...name,
      })),
      primaryName: { kind: 'PRIMARY', script: 'Hani', ...row.names[0]! },
      dateOfBirthPrecision: 'DAY',
      dateOfBirthApproximate: false,
      statusMonth: monthOf(row.statusChangedOn),
      gender: 'UNKNOWN',
      status: 'TRAPPED',
    })),
  identifiers: fc
    .record({
      kind: fc.constantFrom(...identifierKinds),
      value: distinctive(0),
      normalised: distinctive(0),
      issuingCountry: country(['XA', 'XB']),
    })
    .map((row) => ({
      id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
      personId: recordBase.uuid,
      tlp: 'GREEN',
      ...row,
    })),
  syndicates: fc
    .record({ aliases: fc.array(distinctive(), { minLength: 1, maxLength: 3 }), description: distinctive() })
    .map((row) => ({ ...recordBase, ...row, name: 'Known Name', countries: ['TH'], status: 'ACTIVE' })),
  intelReports: fc.record({ title: distinctive(), body: distinctive() }).map((row) => ({
    ...recordBase,
    ...row,
    reportedOn: '2009-01-01',
    sourceGrading: 'B',
    informationGrading: 'TWO',
  })),
}

type Rules = Record<string, unknown>

/** docs/policy.md: a mask keeps the last 3 characters of a value of 8 or more, nothing of a shorter one. */
const documentedKeep = 3

/** A random, valid resource section: rules for some fields, a default, or hit-only. */
function resourceRules(resource: PolicyResource): fc.Arbitrary<Rules> {
  const fields = Object.entries(resourceModels[resource].fields).map(([field, definition]) =>
    fc.option(
      fc.constantFrom(...definition.rules).map((rule) => [field, rule] as const),
      { nil: undefined },
    ),
  )
  const kinds =
    resource === 'identifiers'
      ? fc
          .subarray([...identifierKinds], { minLength: 1 })
          .chain((chosen) =>
            fc.tuple(
              ...chosen.map((kind) => fc.constantFrom('allow', 'mask').map((rule) => [kind, rule] as const)),
            ),
          )
          .map((entries) => ({ kinds: Object.fromEntries(entries) }))
      : fc.constant({})
  return fc
    .record({
      fields: fc.tuple(...fields),
      otherFields: fc.constantFrom('allow', 'omit', undefined),
      hitOnly: fc.boolean(),
      kinds,
    })
    .map(({ fields: chosen, otherFields, hitOnly, kinds: kindRules }) => {
      if (hitOnly) return { hitOnly: true, ...kindRules }
      const listed = Object.fromEntries(chosen.filter((entry) => entry !== undefined))
      return {
        ...kindRules,
        ...(Object.keys(listed).length > 0 ? { fields: listed } : {}),
        ...(otherFields ? { otherFields } : {}),
      }
    })
}

const randomPolicy = fc.record(
  Object.fromEntries(policyResources.map((resource) => [resource, resourceRules(resource)])),
  { requiredKeys: [] },
)

/** The rule the test expects for a field, worked out from the document, not from the decision. */
function expectedRule(rules: Rules | undefined, field: string, covered: boolean): FieldRuleName {
  if (!covered || !rules || rules.hitOnly) return 'omit'
  const listed = (rules.fields as Record<string, FieldRuleName> | undefined)?.[field]
  return listed ?? (rules.otherFields as FieldRuleName | undefined) ?? 'omit'
}

/** Every string inside a value (names are objects, aliases lists). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(stringsIn)
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn)
  return []
}

function expectAbsent(serialised: string, secret: string, what: string) {
  expect(serialised.includes(secret), `${what} leaked`).toBe(false)
}

describe('field rules never leak a withheld value', () => {
  it('keeps every withheld value out of the serialised answer, for 1,000 random policies and records', () => {
    fc.assert(
      fc.property(
        randomPolicy,
        fc.record(records),
        fc.constantFrom('RESCUE', 'RESCUE', 'RESCUE', 'INVESTIGATION'),
        (resources, rows, purpose) => {
          const policy = compilePolicy(policyDocument([agreement({ resources })]))
          const decision = decide(policy, {
            asker: 'HK-HKPF',
            purpose,
            at: new Date('2026-05-05T00:00:00Z'),
            roles: {},
          })
          const covered = purpose === 'RESCUE'
          for (const resource of policyResources) {
            const row = rows[resource] as Record<string, unknown>
            const rules = resources[resource] as Rules | undefined
            const { value, withheld } = applyFieldRules(resource, row, decision, `${resource}.`)
            const serialised = JSON.stringify({ data: { [resource]: value }, extensions: { withheld } })
            for (const [field, definition] of Object.entries(resourceModels[resource].fields)) {
              const rule = expectedRule(rules, field, covered)
              const original = row[field]
              if (rule === 'allow') {
                expect(value[field]).toEqual(original)
                continue
              }
              expect(withheld).toContainEqual(expect.objectContaining({ path: `${resource}.${field}`, rule }))
              if (rule === 'generaliseYear') {
                const date = original as string
                expect(value[field]).toBe(date.slice(0, 4))
                expect(value.dateOfBirthPrecision).toBe('YEAR')
                expectAbsent(serialised, date.slice(0, 7), `${resource}.${field} month`)
                continue
              }
              expect(value[field]).toEqual(definition.omitted)
              for (const secret of stringsIn(original))
                expectAbsent(serialised, secret, `${resource}.${field}`)
              for (const companion of definition.companions) {
                for (const secret of stringsIn(row[companion]))
                  expectAbsent(serialised, secret, `${resource}.${companion}`)
              }
            }
            if (resource === 'identifiers') {
              const kinds = (rules?.kinds ?? {}) as Record<string, string>
              const valueRule =
                covered && rules && !rules.hitOnly && kinds[row.kind as string] === 'allow' ? 'allow' : 'mask'
              for (const field of ['value', 'normalised']) {
                const original = row[field] as string
                if (valueRule === 'allow') {
                  expect(value[field]).toBe(original)
                  continue
                }
                const kept = original.length >= 8 ? original.slice(-documentedKeep) : ''
                expect(value[field]).toBe(`•••••${kept}`)
                // Nothing beyond the kept suffix: not the character before it, not any other part.
                expectAbsent(serialised, original.slice(-(documentedKeep + 1)), `${field} beyond its suffix`)
                if (original.length > documentedKeep)
                  expectAbsent(serialised, original.slice(0, -documentedKeep), field)
              }
            }
          }
        },
      ),
      { numRuns: 1000 },
    )
  })
})
