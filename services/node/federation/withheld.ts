/**
 * What a peer's policy withheld, carried into the asker's answer: a peer reports withheld fields
 * under the forwarded operation's root (`result.nodes[3].dateOfBirth`); the asker moves each path
 * to where that record sits in the merged answer (`persons.nodes[12].dateOfBirth`) and names the
 * agency whose policy withheld it. A peer's report is untrusted input: anything not of that shape
 * costs the peer its slice, like any other malformed answer.
 */
import type { WithheldField } from '../policy/fields.ts'
import { fieldRuleNames, type WithholdingRule } from '../policy/resources.ts'

/** A withheld field of a peer's record, as the asker reports it. */
export interface PeerWithheldField extends WithheldField {
  /** The agency whose policy withheld the field. */
  agency: string
}

/** More entries than a page of records can carry fields is not a policy report. */
export const maxPeerWithheldEntries = 20_000

const withholdingRules = new Set<string>(fieldRuleNames.filter((rule) => rule !== 'allow'))
const listPath = /^result\.nodes\[(\d{1,6})\]((?:\.[_A-Za-z][_0-9A-Za-z]*|\[\d{1,6}\])+)$/
const recordPath = /^result((?:\.[_A-Za-z][_0-9A-Za-z]*|\[\d{1,6}\])+)$/
const isShortText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max

/** The peer's `extensions.withheld`: [] when absent, undefined when it is not a list of entries. */
export function peerWithheldOf(response: unknown): WithheldField[] | undefined {
  const extensions = (response as { extensions?: unknown } | null)?.extensions
  if (extensions === undefined || extensions === null) return []
  if (typeof extensions !== 'object' || Array.isArray(extensions)) return undefined
  const withheld = (extensions as { withheld?: unknown }).withheld
  if (withheld === undefined) return []
  if (!Array.isArray(withheld) || withheld.length > maxPeerWithheldEntries) return undefined
  const entries: WithheldField[] = []
  for (const entry of withheld) {
    if (entry === null || typeof entry !== 'object') return undefined
    const { path, rule, agreementId, rulePath } = entry as Record<string, unknown>
    if (!isShortText(path, 1_024) || !isShortText(rulePath, 256)) return undefined
    if (typeof rule !== 'string' || !withholdingRules.has(rule)) return undefined
    if (agreementId !== null && !isShortText(agreementId, 128)) return undefined
    entries.push({ path, rule: rule as WithholdingRule, agreementId, rulePath })
  }
  return entries
}

export type WithheldPlacement =
  /** A list page: the peer's `result.nodes[i]` is the merged answer's `<root>.<nodesKey>[offset + i]`. */
  | { kind: 'list'; root: string; nodesKey: string; offset: number; count: number }
  /** `record(id)`: the peer's `result` is the asker's `<root>`. */
  | { kind: 'record'; root: string }

/** The peer's entries at their place in the merged answer; undefined when one points outside what it sent. */
export function placePeerWithheld(
  entries: readonly WithheldField[],
  placement: WithheldPlacement,
  agency: string,
): PeerWithheldField[] | undefined {
  const placed: PeerWithheldField[] = []
  for (const entry of entries) {
    let path: string
    if (placement.kind === 'list') {
      const match = listPath.exec(entry.path)
      const index = Number(match?.[1])
      if (!match || index >= placement.count) return undefined
      path = `${placement.root}.${placement.nodesKey}[${placement.offset + index}]${match[2]}`
    } else {
      const match = recordPath.exec(entry.path)
      if (!match) return undefined
      path = `${placement.root}${match[1]}`
    }
    placed.push({ ...entry, path, agency })
  }
  return placed
}
