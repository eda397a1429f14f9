/**
 * What every create, update and upsert shares: the common columns, the checks of the update's
 * version, and the comparison that makes a repeated create idempotent.
 */
import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'
import type { RecordAccess } from './access.ts'
import { boundedText, invalid, oneOf } from './values.ts'

export const maxExternalRefLength = 200
export const maxHandlingCodeLength = 32

export function externalRef(value: unknown, path = 'externalRef'): string {
  const text = boundedText(value, path, maxExternalRefLength)
  if (text !== text.trim()) throw invalid(path, 'Must not start or end with spaces.')
  return text
}

/** A TLP the writer may use: no higher than its own clearance, or it could not read its own record. */
export function writableTlp(access: RecordAccess, value: unknown, path: string): Tlp {
  const tlp = oneOf(tlpLevels, value, path)
  if (!access.tlpLevels.includes(tlp)) {
    throw new JaringError('FORBIDDEN', { path, detail: 'The TLP is above your clearance.' })
  }
  return tlp
}

export function handlingCode(value: unknown, path = 'handlingCode'): string {
  return boundedText(value, path, maxHandlingCodeLength)
}

/** The common columns of a new record, with the schema's defaults. */
export function newRecordColumns(
  access: RecordAccess,
  input: { externalRef: unknown; tlp?: unknown; handlingCode?: unknown },
) {
  return {
    externalRef: externalRef(input.externalRef),
    tlp: writableTlp(access, input.tlp ?? 'AMBER', 'tlp'),
    handlingCode: handlingCode(input.handlingCode ?? 'H3'),
  }
}

export interface FieldRule {
  check: (value: unknown, path: string) => unknown
  /** Null clears the field (else null is refused). */
  nullable?: boolean
}

/**
 * The fields an update changes, checked: a field left out (undefined) keeps its value, null clears
 * it where that is allowed, anything else goes through its rule.
 */
export function changedFields<Values>(
  input: Record<string, unknown>,
  rules: { [Field in keyof Values]?: FieldRule },
): Partial<Values> {
  const changes: Record<string, unknown> = {}
  for (const [field, rule] of Object.entries(rules) as [string, FieldRule][]) {
    const value = input[field]
    if (value === undefined) continue
    if (value === null) {
      if (!rule.nullable) throw invalid(field, 'Cannot be cleared.')
      changes[field] = null
    } else {
      changes[field] = rule.check(value, field)
    }
  }
  return changes as Partial<Values>
}

/** An update's version: the record must still be at it. */
export function expectedVersion(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid('version', 'Must be the positive version the change is based on.')
  }
  return value
}

export function versionConflict(currentVersion: number): JaringError {
  return new JaringError('VERSION_CONFLICT', {
    path: 'version',
    detail: `The record is at version ${currentVersion}.`,
    extra: { currentVersion },
  })
}

export function notFound(path = 'id'): JaringError {
  return new JaringError('NOT_FOUND', { path })
}

export function duplicateExternalRef(): JaringError {
  return new JaringError('DUPLICATE_EXTERNAL_REF', {
    path: 'externalRef',
    detail: 'The existing record differs from this input; update it instead.',
  })
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value instanceof Date) return value.toISOString()
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    )
  }
  return value
}

/** Whether two record states (columns and sorted link lists) are the same. */
export function sameState(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/** Link lists compare as sets: their order carries no meaning. */
export function sortedKeys<T>(items: readonly T[], key: (item: T) => string): string[] {
  return items.map(key).sort()
}
