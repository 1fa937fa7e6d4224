import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { buildTestApp, TOKENS } from '../helper.js'
import { launchChromium, skipBrowser, withScreenshot } from '../browser-helper.js'
import { startTestSimulator } from '../simulator-helper.js'

test('Swagger UI: authorize with a token, run query_api, and run run_api\'s example untouched', { skip: skipBrowser, timeout: 120_000 }, async (t) => {
  const sim = await startTestSimulator(t)
  const cluster = new HyperCoreClient(clusterConfigFor(sim))
  t.after(() => cluster.close())
  const app = await buildTestApp(t, undefined, { cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } }, { swaggerUi: true })
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

    // "Try it out" on run_api with the example exactly as the document gives it.
    const runApi = page.locator('[id$="-run_api"].opblock')
    await runApi.locator('.opblock-summary').click()
    await runApi.locator('button.try-out__btn').click()
    assert.match(await runApi.locator('textarea.body-param__text').inputValue(), /"\/VirDomain"/)
    await runApi.locator('button.execute').click()
    const runStatus = runApi.locator('.live-responses-table tr.response .response-col_status').first()
    await runStatus.waitFor({ timeout: 15_000 })
    assert.equal((await runStatus.innerText()).trim(), '200')
    assert.match(await runApi.locator('.live-responses-table tr.response .response-col_description pre').first().innerText(), /"state"/)
  })
})
