import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, TOKENS } from '../helper.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`

test('Swagger UI: authorize with a token and run query_api with "Try it out"', { skip, timeout: 120_000 }, async (t) => {
  const { chromium } = await import('playwright-core')
  const app = await buildTestApp(t, undefined, {}, { swaggerUi: true })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const dir = await mkdtemp(join(tmpdir(), 'sah-browser-'))
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps']
  })
  t.after(() => browser.close())
  const page = await browser.newPage()
  try {
    await page.goto(`${url}/docs`, { waitUntil: 'networkidle' })

    await page.locator('button.authorize').first().click()
    await page.locator('.modal-ux input').first().fill(TOKENS[0])
    await page.locator('.modal-ux button.authorize').click()
    await page.locator('.modal-ux button.btn-done').click()

    const operation = page.locator('[id$="-query_api"].opblock')
    await operation.locator('.opblock-summary').click()
    await operation.locator('button.try-out__btn').click()
    await operation.locator('textarea.body-param__text').fill('{"query": "how do I power on a VM"}')
    await operation.locator('button.execute').click()

    const status = operation.locator('.live-responses-table tr.response .response-col_status').first()
    await status.waitFor({ timeout: 15_000 })
    const shown = (await status.innerText()).trim()
    assert.notEqual(shown, '401', 'the token was sent')
    assert.equal(shown, '200')
    const body = await operation.locator('.live-responses-table tr.response .response-col_description pre').first().innerText()
    assert.match(body, /VirDomain\/action/)
  } catch (err) {
    const shot = join(dir, 'swagger-ui.png')
    await page.screenshot({ path: shot, fullPage: true })
    t.diagnostic(`screenshot saved to ${shot}`)
    throw err
  }
  await page.screenshot({ path: join(dir, 'swagger-ui.png'), fullPage: true })
  t.diagnostic(`screenshot saved to ${join(dir, 'swagger-ui.png')}`)
})
