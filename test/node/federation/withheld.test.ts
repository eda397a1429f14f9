import { describe, expect, it } from 'vitest'
import {
  maxPeerWithheldEntries,
  peerWithheldOf,
  placePeerWithheld,
} from '../../../services/node/federation/withheld.ts'

const entry = {
  path: 'result.nodes[1].notes',
  rule: 'omit',
  agreementId: 'th-hk-2026',
  rulePath: 'resources.persons.fields.notes',
} as const

describe('peerWithheldOf', () => {
  it('reads a peer’s report, and an answer without one as nothing withheld', () => {
    expect(peerWithheldOf({ data: {}, extensions: { withheld: [entry] } })).toEqual([entry])
    expect(peerWithheldOf({ data: {} })).toEqual([])
    expect(peerWithheldOf({ data: {}, extensions: {} })).toEqual([])
    expect(peerWithheldOf({ data: {}, extensions: { withheld: [{ ...entry, agreementId: null }] } })).toEqual(
      [{ ...entry, agreementId: null }],
    )
  })

  it.each([
    ['extensions that are not an object', { extensions: [] }],
    ['a report that is not a list', { extensions: { withheld: {} } }],
    ['an entry that is not an object', { extensions: { withheld: ['notes'] } }],
    ['a rule the protocol does not have', { extensions: { withheld: [{ ...entry, rule: 'allow' }] } }],
    ['an empty path', { extensions: { withheld: [{ ...entry, path: '' }] } }],
    ['a path over 1 KiB', { extensions: { withheld: [{ ...entry, path: `result.${'a'.repeat(1_100)}` }] } }],
    ['a numeric agreement', { extensions: { withheld: [{ ...entry, agreementId: 7 }] } }],
    ['a missing rule path', { extensions: { withheld: [{ ...entry, rulePath: undefined }] } }],
    [
      'more entries than any page carries',
      { extensions: { withheld: Array.from({ length: maxPeerWithheldEntries + 1 }, () => entry) } },
    ],
  ])('refuses %s', (_name, response) => {
    expect(peerWithheldOf(response)).toBeUndefined()
  })
})

describe('placePeerWithheld', () => {
  const list = { kind: 'list', root: 'found', nodesKey: 'items', offset: 4, count: 2 } as const

  it('moves a list entry to its record’s place in the merged page and names the agency', () => {
    expect(
      placePeerWithheld(
        [entry, { ...entry, path: 'result.nodes[0].identifiers[2].value', rule: 'mask' as const }],
        list,
        'TH-RTP',
      ),
    ).toEqual([
      { ...entry, path: 'found.items[5].notes', agency: 'TH-RTP' },
      { ...entry, path: 'found.items[4].identifiers[2].value', rule: 'mask', agency: 'TH-RTP' },
    ])
  })

  it('moves a record entry under the asker’s field', () => {
    expect(
      placePeerWithheld([{ ...entry, path: 'result.notes' }], { kind: 'record', root: 'one' }, 'VN-MPS'),
    ).toEqual([{ ...entry, path: 'one.notes', agency: 'VN-MPS' }])
  })

  it.each([
    ['a record the peer did not send', 'result.nodes[2].notes'],
    ['a path outside the records', 'result.pageInfo.endCursor'],
    ['a path outside the answer', 'persons.nodes[0].notes'],
    ['a whole record', 'result.nodes[0]'],
  ])('refuses %s', (_name, path) => {
    expect(placePeerWithheld([{ ...entry, path }], list, 'TH-RTP')).toBeUndefined()
  })
})
