/**
 * The secretariat's chart page in a real browser (Debian's chromium through playwright-core)
 * against a real node with seeded records: the page and Chart.js load from the node alone, the
 * token is entered once, the three charts draw exactly what `statistics` answers (suppressed cells
 * as gaps), the filters narrow them, and the CSV downloads. A screenshot goes to test-results/.
 */
import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDatabase } from '../../db/seed/seed.ts'
import { graphql } from '../node/records/fixtures.ts'
import { buildTestApp, type TestApp, testAgency } from '../support/app.ts'
import { launchChromium, requireChromium, saveScreenshot } from '../support/browser.ts'
import { testDatabaseLabel } from '../support/database.ts'

interface Cell {
  measure: string
  agency: string | null
  crimeCategory: string | null
  month: string | null
  value: number | null
  suppressed: boolean
}
interface Statistics {
  tables: { agency: string; cells: Cell[] }[]
}
interface ChartData {
  labels: string[]
  datasets: { label: string; data: (number | null)[] }[]
}

const query = `query ($measures: [StatisticsMeasure!]!, $groupBy: [StatisticsDimension!], $filter: StatisticsFilter) {
  statistics(measures: $measures, groupBy: $groupBy, filter: $filter) {
    tables { agency cells { measure agency crimeCategory month value suppressed } }
  }
}`

const measureLabels: Record<string, string> = {
  CASES_OPENED: 'Cases opened',
  CASES_CLOSED: 'Cases closed',
  PERSONS_AT_RISK: 'Persons at risk',
  PERSONS_RESCUED: 'Persons rescued',
  PERSONS_REPATRIATED: 'Persons repatriated',
}

describe(`the statistics page in chromium on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let browser: Browser
  let origin: string
  let token: string

  async function statistics(variables: Record<string, unknown>): Promise<Cell[]> {
    const answer = await graphql<{ statistics: Statistics }>(node, token, query, variables)
    expect(answer.errors).toBeUndefined()
    return (answer.data?.statistics.tables ?? []).flatMap((table) =>
      table.cells.map((cell) => ({ ...cell, agency: cell.agency ?? table.agency })),
    )
  }

  /** What the category chart must show: one bar per category and agency, a gap where suppressed. */
  function categoryChart(cells: Cell[]): ChartData {
    const categories = [...new Set(cells.map((cell) => cell.crimeCategory as string))].sort()
    const agencies = [...new Set(cells.map((cell) => cell.agency as string))].sort()
    return {
      labels: categories,
      datasets: agencies.map((agency) => ({
        label: agency,
        data: categories.map(
          (category) =>
            cells.find((cell) => cell.agency === agency && cell.crimeCategory === category)?.value ?? null,
        ),
      })),
    }
  }

  function monthChart(cells: Cell[], measures: string[]): ChartData {
    const months = [...new Set(cells.map((cell) => cell.month as string))].sort()
    return {
      labels: months,
      datasets: measures.map((measure) => ({
        label: measureLabels[measure] as string,
        data: months.map((month) => {
          const matching = cells.filter(
            (cell) => cell.measure === measure && cell.month === month && cell.value !== null,
          )
          return matching.length ? matching.reduce((sum, cell) => sum + (cell.value ?? 0), 0) : null
        }),
      })),
    }
  }

  const chartData = (page: Page, id: string) =>
    page.evaluate((canvasId) => {
      const chart = (
        globalThis as unknown as { Chart: { getChart(c: unknown): { data: ChartData } } }
      ).Chart.getChart(document.getElementById(canvasId))
      if (!chart) return null
      return {
        labels: [...chart.data.labels],
        datasets: chart.data.datasets.map((dataset) => ({ label: dataset.label, data: [...dataset.data] })),
      }
    }, id)

  beforeAll(async () => {
    requireChromium()
    node = await buildTestApp()
    await seedDatabase(node.database, { agency: testAgency, cases: 2500, seed: 'stats-page' })
    origin = await node.app.listen({ host: '127.0.0.1', port: 0 })
    token = await node.token('secretariat')
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await node?.close()
  })

  it('draws the charts with the node’s statistics, filters them and downloads the CSV', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1400, height: 1100 },
    })
    const page = await context.newPage()
    const requested: string[] = []
    const problems: string[] = []
    page.on('request', (request) => requested.push(request.url()))
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })

    const response = await page.goto(`${origin}/stats`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.fill('#token', token)
    await page.click('#token-form button[type=submit]')
    await page.waitForSelector('body[data-state=ready]', { timeout: 30_000 })
    // This node has no trust list: "All agencies" asks the federation, and only it answers.
    expect(await page.isChecked('#federation')).toBe(true)
    expect(await page.textContent('#agencies')).toBe(`Agencies counted: ${testAgency}.`)

    const categories = await statistics({ measures: ['CASES_OPENED'], groupBy: ['AGENCY', 'CRIME_CATEGORY'] })
    const months = await statistics({ measures: ['CASES_OPENED', 'CASES_CLOSED'], groupBy: ['MONTH'] })
    const persons = await statistics({
      measures: ['PERSONS_AT_RISK', 'PERSONS_RESCUED', 'PERSONS_REPATRIATED'],
      groupBy: ['MONTH'],
    })
    expect(categories.filter((cell) => !cell.suppressed).length).toBeGreaterThan(3)
    expect(months.length).toBeGreaterThan(6)
    expect(persons.some((cell) => cell.measure === 'PERSONS_RESCUED' && cell.value !== null)).toBe(true)
    expect(await chartData(page, 'chart-categories')).toEqual(categoryChart(categories))
    expect(await chartData(page, 'chart-months')).toEqual(
      monthChart(months, ['CASES_OPENED', 'CASES_CLOSED']),
    )
    expect(await chartData(page, 'chart-persons')).toEqual(
      monthChart(persons, ['PERSONS_AT_RISK', 'PERSONS_RESCUED', 'PERSONS_REPATRIATED']),
    )
    expect(await page.textContent('#note-categories')).toMatch(/suppressed|No cell suppressed/)

    await saveScreenshot(page, 'stats.png')

    // Filters: one category and one year.
    await page.selectOption('#categories', ['TRAFFICKING_IN_PERSONS'])
    await page.fill('#from-month', '2025-01')
    await page.fill('#to-month', '2025-12')
    await page.click('#filters button[type=submit]')
    await page.waitForSelector('body[data-state=ready]')
    const filter = { crimeCategories: ['TRAFFICKING_IN_PERSONS'], fromMonth: '2025-01', toMonth: '2025-12' }
    const filtered = await statistics({
      measures: ['CASES_OPENED'],
      groupBy: ['AGENCY', 'CRIME_CATEGORY'],
      filter,
    })
    const filteredChart = await chartData(page, 'chart-categories')
    expect(filteredChart).toEqual(categoryChart(filtered))
    expect(filteredChart?.labels).toEqual(['TRAFFICKING_IN_PERSONS'])
    const filteredMonths = await chartData(page, 'chart-months')
    expect(filteredMonths?.labels.every((month) => month.startsWith('2025-'))).toBe(true)

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')])
    const csv = await readFile((await download.path()) as string, 'utf8')
    const lines = csv.trim().split('\r\n')
    expect(lines[0]).toBe(
      'row,agency,measure,crimeCategory,month,year,nationality,status,value,suppressed,complete,includesSuppressed',
    )
    expect(
      lines
        .slice(1)
        .every((line) => /^(cell|total),TH-RTP,[A-Z_]+,(TRAFFICKING_IN_PERSONS)?,(2025-\d\d)?,/.test(line)),
    ).toBe(true)

    // Everything came from the node itself: no CDN, nothing else.
    expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:'))).toEqual([])
    expect(requested).toContain(`${origin}/stats/assets/chart.umd.min.js`)
    expect(problems).toEqual([])
    await context.close()
  })

  it('asks for the token again once it is forgotten, and shows a refusal for a token without the scope', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${origin}/stats`)
    await page.fill('#token', await node.token('liaison'))
    await page.click('#token-form button[type=submit]')
    await page.waitForSelector('body[data-state=error]')
    expect(await page.textContent('#status')).toContain('FORBIDDEN')
    await page.click('#token-forget')
    expect(await page.isVisible('#token-form')).toBe(true)
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
    await context.close()
  })
})
