/**
 * GraphiQL in a real browser (Debian's chromium through playwright-core) against a real node
 * listening on a port: the page loads from the node alone, takes a token once, runs a query and
 * shows the record the node holds. A missing chromium fails the suite with the command to install it.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.ts'
import { launchChromium, requireChromium, saveScreenshot } from '../support/browser.ts'
import { testDatabaseLabel } from '../support/database.ts'

describe(`GraphiQL in chromium on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let browser: Browser
  let origin: string
  const caseTitle = 'Browser test: scam compound recruitment ring'

  beforeAll(async () => {
    requireChromium()
    node = await buildTestApp()
    origin = await node.app.listen({ host: '127.0.0.1', port: 0 })
    const created = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${await node.token('system')}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        query: `mutation ($input: CreateCaseInput!) { createCase(input: $input) { id } }`,
        variables: {
          input: {
            externalRef: 'BROWSER-1',
            title: caseTitle,
            crimeCategory: 'TRAFFICKING_IN_PERSONS',
            country: 'TH',
            openedOn: '2026-03-01',
            tlp: 'GREEN',
          },
        },
      }),
    })
    expect(created.json().errors).toBeUndefined()
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await node?.close()
  })

  it('loads from the node alone, takes the token once, runs a query and shows the result', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const requested: string[] = []
    const problems: string[] = []
    page.on('request', (request) => requested.push(request.url()))
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })

    const response = await page.goto(`${origin}/graphiql`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")

    await page.fill('#jaring-token', await node.token('liaison'))
    await page.click('#jaring-token-form button[type="submit"]')
    await page.waitForSelector('.graphiql-container')
    await page.click('.graphiql-execute-button')
    await page.waitForFunction(
      (title) => document.querySelector('.result-window')?.textContent?.includes(title),
      caseTitle,
    )

    await saveScreenshot(page, 'graphiql.png')

    const result = await page.textContent('.result-window')
    expect(result).toContain('"crimeCategory": "TRAFFICKING_IN_PERSONS"')
    expect(problems).toEqual([])
    // Everything came from the node: no CDN, no font service.
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([])
    expect(requested).toContain(`${origin}/graphql`)

    // The token lives for the tab only, and GraphiQL's history (queries name persons) with it.
    const storage = await page.evaluate(() => ({
      session: Object.keys(sessionStorage),
      local: Object.keys(localStorage),
    }))
    expect(storage.session).toContain('jaring.graphiql.token')
    expect(storage.local).toEqual([])
    await context.close()
  })

  it('asks for the token again after "Forget token", and keeps it across a reload until then', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${origin}/graphiql`)
    await page.fill('#jaring-token', await node.token('liaison'))
    await page.click('#jaring-token-form button[type="submit"]')
    await page.waitForSelector('.graphiql-container')

    await page.reload()
    await page.waitForSelector('.graphiql-container')
    expect(await page.isHidden('#jaring-token-form')).toBe(true)

    await page.click('#jaring-token-forget')
    expect(await page.isVisible('#jaring-token-form')).toBe(true)
    expect(await page.evaluate(() => sessionStorage.getItem('jaring.graphiql.token'))).toBeNull()
    await context.close()
  })
})
