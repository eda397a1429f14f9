import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../services/node/config.ts'

const base = {
  agency: 'TH-RTP',
  name: 'Royal Thai Police',
  country: 'TH',
  publicUrl: 'http://127.0.0.1:4102',
}

const parsed = (federation: Record<string, unknown>) =>
  parseConfig({ ...base, federation }, '/etc/jaring', 'node.yaml')

describe('parseConfig: the trust list', () => {
  it('takes the list from a file or from a URL, with the anchor', () => {
    expect(parsed({ trustAnchorFile: 'a.jwks', trustListFile: 'list.jws' }).federation).toMatchObject({
      trustListFile: 'list.jws',
      trustListPollMs: 0,
    })
    expect(
      parsed({ trustAnchorFile: 'a.jwks', trustListUrl: 'https://somtc.example.org/trust-list.jws' })
        .federation.trustListUrl,
    ).toBe('https://somtc.example.org/trust-list.jws')
  })

  it('refuses a list without its anchor, an anchor without a list, and both sources at once', () => {
    expect(() => parsed({ trustListUrl: 'https://somtc.example.org/l.jws' })).toThrow(
      /^node\.yaml: federation: trustAnchorFile and a trust list \(trustListFile or trustListUrl\) go together/,
    )
    expect(() => parsed({ trustAnchorFile: 'a.jwks' })).toThrow(/go together/)
    expect(() =>
      parsed({ trustAnchorFile: 'a.jwks', trustListFile: 'l.jws', trustListUrl: 'https://x.example/l.jws' }),
    ).toThrow(/^node\.yaml: federation: needs one of trustListFile or trustListUrl, not both$/)
  })

  it('names the field of a URL that is not http or https', () => {
    expect(() => parsed({ trustAnchorFile: 'a.jwks', trustListUrl: 'file:///etc/passwd' })).toThrow(
      /federation\.trustListUrl/,
    )
  })
})
