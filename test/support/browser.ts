/**
 * Headless Chromium for the browser suites: Debian's chromium with the flags FACTS.md names (no
 * sandbox in a container, nothing phoning home), and screenshots kept as test artifacts.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'

const chromiumPath = '/usr/bin/chromium'
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
const screenshotFolder = path.resolve('test-results')

/** Fails loudly when chromium is missing: a browser test that cannot run is a failure, not a skip. */
export function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: the browser tests need Debian's chromium (apt-get install -y chromium).`,
    )
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumFlags })
}

/** Saves a full-page screenshot under test-results/ (gitignored). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotFolder, { recursive: true })
  await page.screenshot({ path: path.join(screenshotFolder, name), fullPage: true })
}
