/**
 * GraphiQL's routes without a browser: public, strict headers, no inline script, assets from an
 * allow-list of local files only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageScripts, pageStyles } from '../../services/node/graphiql/page.ts'
import { buildTestApp, type TestApp } from '../support/app.ts'
import { testDatabaseLabel } from '../support/database.ts'

describe(`GraphiQL routes on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  beforeAll(async () => {
    node = await buildTestApp({ config: { name: 'Royal Thai Police <test> & "friends"' } })
  })
  afterAll(async () => {
    await node?.close()
  })

  it('serves the page without a token, with a strict policy and no inline script or style', async () => {
    const response = await node.app.inject('/graphiql')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/)
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/)
    expect(response.headers['content-security-policy']).toMatch(/connect-src 'self'(;|$)/)
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['x-frame-options']).toBe('DENY')
    expect(response.headers['cache-control']).toBe('no-store')
    const html = response.body
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).toContain('Royal Thai Police &lt;test&gt; &amp; &quot;friends&quot;')
  })

  it('serves every asset the page names, from local packages, with its type', async () => {
    for (const name of [...pageScripts, ...pageStyles]) {
      const response = await node.app.inject(`/graphiql/assets/${name}`)
      expect(response.statusCode, name).toBe(200)
      expect(response.headers['content-type'], name).toMatch(
        name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
      )
      expect(response.headers['x-content-type-options'], name).toBe('nosniff')
      expect(response.body.length, name).toBeGreaterThan(500)
    }
    expect((await node.app.inject('/graphiql/assets/graphiql.min.js')).body).toContain('GraphiQL')
  })

  it('answers 404 for anything off the allow-list, however the path is written', async () => {
    for (const url of [
      '/graphiql/assets/package.json',
      '/graphiql/assets/..%2F..%2Fconfig.ts',
      '/graphiql/assets/%2e%2e%2fpage.ts',
      '/graphiql/assets/graphiql.min.js.map',
    ]) {
      const response = await node.app.inject(url)
      expect(response.statusCode, url).toBe(404)
      expect(response.json().code, url).toBe('NOT_FOUND')
    }
  })
})
