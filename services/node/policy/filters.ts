/**
 * A filter on a withheld field would answer what the field rule withholds (search by name, get the
 * record: now you know the name). So a reader may not filter on a field the decision withholds;
 * the repositories refuse such a filter with FORBIDDEN before any SQL runs.
 */
import { JaringError } from '../errors.ts'
import type { Decision } from './decide.ts'
import type { PolicyResource } from './resources.ts'

/** Filter arguments and the governed fields whose values they test. */
const revealingFilters: Partial<Record<PolicyResource, Record<string, readonly string[]>>> = {
  cases: { text: ['title', 'summary'] },
  persons: { name: ['names'], nationalities: ['nationality'] },
  syndicates: { name: ['aliases'] },
}

/** Throws FORBIDDEN when the filter tests a field the decision does not release in full. */
export function refuseFiltersOnWithheldFields(
  decision: Decision,
  resource: PolicyResource,
  filter: Record<string, unknown> | null | undefined,
): void {
  if (!filter) return
  const fields = decision.resources[resource].fields
  for (const [argument, governed] of Object.entries(revealingFilters[resource] ?? {})) {
    const value = filter[argument]
    if (value === undefined || value === null) continue
    const withheld = governed.find((field) => fields[field]?.rule !== 'allow')
    if (withheld) {
      throw new JaringError('FORBIDDEN', {
        path: `filter.${argument}`,
        detail: `The data-sharing policy withholds ${withheld} from you, so you cannot filter on it.`,
      })
    }
  }
}
