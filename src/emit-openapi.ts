import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { buildApp } from './app.js'
import { Catalog } from './catalog/catalog.js'
import { loadConfig } from './config/config.js'
import { projectFile } from './lib/paths.js'

/** Builds the app with placeholder configuration and returns the OpenAPI document it serves publicly, as committed text. */
export async function emitOpenApi (): Promise<string> {
  // Nothing is audited while emitting, but the audit file must not land in the user's state folder.
  const config = loadConfig({ MCP_BEARER_TOKEN: 'placeholder-token-for-openapi-emission', SCALE_AUDIT_FILE: '-' })
  const app = await buildApp(config, {
    catalog: await Catalog.load(),
    clusterInfo: { mode: 'none', cluster: null }
  }, { swaggerUi: false })
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  const text = JSON.stringify(res.json(), null, 2) + '\n'
  await app.close()
  return text
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = projectFile('openapi', 'openapi.json')
  await writeFile(file, await emitOpenApi())
  process.stdout.write(`wrote ${file}\n`)
}
