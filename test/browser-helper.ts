import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { Browser, Page } from 'playwright-core'

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A reason to skip browser tests when there is no Chromium, else false. */
export const skipBrowser: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`

/** Headless Chromium with no background networking (the machine has no internet), closed when the test ends. */
export async function launchChromium (t: TestContext): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps']
  })
  t.after(() => browser.close())
  return browser
}

/** Runs `steps` on a page and saves a screenshot (always, and on failure before rethrowing); `SCREENSHOT_DIR` keeps them. */
export async function withScreenshot (t: TestContext, page: Page, name: string, steps: () => Promise<void>): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR ?? await mkdtemp(join(tmpdir(), 'sah-browser-'))
  const shot = join(dir, `${name}.png`)
  try {
    await steps()
  } finally {
    await page.screenshot({ path: shot, fullPage: true })
    t.diagnostic(`screenshot saved to ${shot}`)
  }
}
