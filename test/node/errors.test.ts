/**
 * docs/errors.md is the clients' list of codes: it must name every code of the catalogue, with the
 * catalogue's HTTP status, and nothing else.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { errorCatalogue } from '../../services/node/errors.ts'

const documented = new Map(
  [
    ...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(
      /^\| `([A-Z_]+)` \| (\d{3}) \|/gm,
    ),
  ].map(([, code, status]) => [code as string, Number(status)]),
)

describe('the error catalogue and docs/errors.md', () => {
  it('document every code with its HTTP status', () => {
    const catalogue = Object.entries(errorCatalogue).map(([code, { status }]) => [code, status])
    expect([...documented.entries()].sort()).toEqual(catalogue.sort())
  })
})
