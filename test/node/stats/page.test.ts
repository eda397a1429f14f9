/**
 * The `/stats` page and its assets over HTTP: public, from the node's own files (Chart.js from its
 * npm package), under a strict Content-Security-Policy, and nothing outside the allow-list of
 * assets; the CSV route is in the OpenAPI document with its scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'

describe(`the statistics page routes on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  beforeAll(async () => {
    node = await buildTestApp()
  })
  afterAll(async () => {
    await node?.close()
  })

  it('serves the page without a token, with no inline script and a strict policy', async () => {
    const response = await node.app.inject({ method: 'GET', url: '/stats' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.headers['content-security-policy']).toContain("default-src 'none'")
    expect(response.headers['content-security-policy']).toContain("script-src 'self'")
    expect(response.body).toContain('src="stats/assets/chart.umd.min.js"')
    expect(response.body).not.toMatch(/<script>|<style>|https?:\/\//)
  })

  it('serves Chart.js and the page script from the node, and nothing else under assets', async () => {
    const chart = await node.app.inject({ method: 'GET', url: '/stats/assets/chart.umd.min.js' })
    expect(chart.statusCode).toBe(200)
    expect(chart.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(chart.body).toContain('Chart')
    const script = await node.app.inject({ method: 'GET', url: '/stats/assets/stats-page.js' })
    expect(script.statusCode).toBe(200)
    for (const url of [
      '/stats/assets/package.json',
      '/stats/assets/..%2F..%2Fconfig.ts',
      '/stats/assets/chart.js',
    ]) {
      const refused = await node.app.inject({ method: 'GET', url })
      expect(refused.statusCode, url).toBe(404)
    }
  })

  it('documents the CSV route in OpenAPI with the scope stats:read', async () => {
    const document = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const operation = document.paths['/api/v1/statistics.csv']?.get
    expect(operation?.operationId).toBe('statisticsCsv')
    expect(JSON.stringify(operation.security)).toContain('stats:read')
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/csv'])
  })
})
