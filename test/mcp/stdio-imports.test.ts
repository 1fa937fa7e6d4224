import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { projectRoot } from '../../src/lib/paths.js'
import { scratchFile } from '../helper.js'

// Module hooks (they run off the main thread) append every URL an import resolves to to a file; the CommonJS
// modules loaded by require are added from require.cache when the process exits.
const HOOKS = `
import { appendFileSync } from 'node:fs'
let file
export async function initialize (data) { file = data.file }
export async function resolve (specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(file, result.url + '\\n')
  return result
}`

function recorder (file: string): string {
  return `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, { data: { file: ${JSON.stringify(file)} } })
process.on('exit', () => {
  appendFileSync(${JSON.stringify(file)}, Object.keys(createRequire(process.cwd() + '/').cache).map((p) => 'file://' + p + '\\n').join(''))
})`)}`
}

const FASTIFY_SIDE = [
  /\/node_modules\/(fastify|fastify-plugin|@fastify\/[^/]+)\//,
  /\/(routes|plugins)\/[^/]+\.ts$/,
  /\/src\/(app|server)\.ts$/
]

test('scale-api-helper mcp serves a tool list without loading Fastify, its plugins, our routes or the app', { timeout: 120_000 }, async (t) => {
  // A stand-in for a real cluster (SCALE_HOST): nothing here needs it, and with it the embedded simulator, a
  // Fastify server of its own, stays out.
  const cluster = createServer((_req, res) => { res.writeHead(404).end() })
  cluster.listen(0, '127.0.0.1')
  await once(cluster, 'listening')
  t.after(() => { cluster.close() })
  const file = scratchFile('stdio-imports.txt')
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(SCALE_|LLM_|MCP_|AUTH_FILE|CONFIRM_|NODE_OPTIONS)/.test(key)) env[key] = value
  }
  Object.assign(env, {
    SCALE_HOST: `http://127.0.0.1:${(cluster.address() as AddressInfo).port}`,
    SCALE_USERNAME: 'admin',
    SCALE_PASSWORD: 'not-used',
    SCALE_SCHEMA: 'bundled',
    SCALE_SESSION_FILE: scratchFile('stdio-imports-session.json'),
    SCALE_AUDIT_FILE: scratchFile('stdio-imports-audit.jsonl'),
    LOG_LEVEL: 'warn'
  })
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', recorder(file), 'src/cli.ts', 'mcp'], { cwd: projectRoot(), env, stdio: ['pipe', 'pipe', 'pipe'] })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = once(child, 'exit')
  const answered = async (id: number): Promise<Record<string, any>> => {
    for (;;) {
      const line = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, any>).find((m) => m.id === id)
      if (line !== undefined) return line
      await Promise.race([once(child.stdout, 'data'), exited.then(() => { throw new Error(`exited before answering ${id}: ${stderr}`) })])
    }
  }
  const send = (message: unknown): void => { child.stdin.write(JSON.stringify(message) + '\n') }
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } })
  await answered(1)
  send({ jsonrpc: '2.0', method: 'notifications/initialized' })
  // tools/list builds the gate, with the runtime and the tool registry behind it.
  send({ jsonrpc: '2.0', id: 2, method: 'tools/list' })
  const list = await answered(2)
  assert.ok((list.result?.tools as unknown[] | undefined)?.length !== undefined, JSON.stringify(list))
  child.stdin.end()
  const [code] = await exited as [number]
  assert.equal(code, 0, stderr)

  const loaded = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))]
  for (const built of ['/src/faces/gate.ts', '/src/gate/gate.ts', '/src/tools/registry.ts', '/src/runtime.ts']) {
    assert.ok(loaded.some((url) => url.endsWith(built)), `the recorder saw ${built} load`)
  }
  assert.deepEqual(loaded.filter((url) => FASTIFY_SIDE.some((pattern) => pattern.test(url))), [])
})
