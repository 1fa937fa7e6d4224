import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, TOKENS } from '../helper.js'
import { launchChromium, skipBrowser, withScreenshot } from '../browser-helper.js'

test('Swagger UI: authorize with a token and run query_api with "Try it out"', { skip: skipBrowser, timeout: 120_000 }, async (t) => {
  const app = await buildTestApp(t, undefined, {}, { swaggerUi: true })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const page = await (await launchChromium(t)).newPage()
  await withScreenshot(t, page, 'swagger-ui', async () => {
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
  })
})
