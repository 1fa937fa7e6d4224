import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { buildApp } from './app.js'
import { Catalog } from './catalog/catalog.js'
import { loadConfig } from './config.js'
import { projectFile } from './paths.js'

/** Builds the app with placeholder configuration and returns its OpenAPI document as committed text. */
export async function emitOpenApi (): Promise<string> {
  const config = loadConfig({ MCP_BEARER_TOKEN: 'placeholder-token-for-openapi-emission' })
  const app = await buildApp(config, {
    catalog: await Catalog.load(),
    clusterInfo: { mode: 'none', cluster: null }
  }, { swaggerUi: false })
  await app.ready()
  const text = JSON.stringify(app.swagger(), null, 2) + '\n'
  await app.close()
  return text
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = projectFile('openapi', 'openapi.json')
  await writeFile(file, await emitOpenApi())
  process.stdout.write(`wrote ${file}\n`)
}
