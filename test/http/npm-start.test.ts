import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { projectRoot } from '../../src/lib/paths.js'

const TOKEN = 'a-token-that-is-long-enough'

function builtFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? builtFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [])
}
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} }

// What the bundle loads later than the start (Swagger UI's files, the search index, the MCP SDK) must work there too.
async function usesTheBuiltServer (port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  assert.equal((await fetch(`${base}/health`)).status, 200)
  const docs = await fetch(`${base}/docs/static/index.html`)
  assert.equal(docs.status, 200)
  assert.match(await docs.text(), /swagger/i)
  const search = await fetch(`${base}/query_api`, { method: 'POST', headers: auth, body: JSON.stringify({ query: 'stop a VM' }) })
  assert.equal(search.status, 200)
  assert.match(await search.text(), /VirDomain\/action/)
  const mcp = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...auth, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'list_vms' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_vms', arguments: {}, _meta: META } })
  })
  const text = await mcp.text()
  assert.equal(mcp.status, 200, text)
  assert.match(text, /"structuredContent"/)
  assert.doesNotMatch(text, /"isError":true/)
}

// `npm start` builds first when a source is newer than dist/.
test('`npm start` serves every face from the built bundle, and SIGTERM stops the server it started and frees the port', { timeout: 240_000, skip: process.platform === 'win32' ? 'no SIGTERM on Windows' : false }, async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'sah-npm-'))
  const npm = spawn('npm', ['start'], {
    cwd: projectRoot(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? state,
      XDG_STATE_HOME: state,
      PORT: '0',
      LOG_LEVEL: 'info',
      MCP_BEARER_TOKEN: TOKEN,
      // npm must not look for a newer npm on the network.
      npm_config_update_notifier: 'false'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  npm.stdout.on('data', (chunk) => { out += String(chunk) })
  npm.stderr.on('data', (chunk) => { out += String(chunk) })
  // 'close' comes once npm has exited and every process holding its output (the server included) has too.
  const closed = once(npm, 'close')
  let serverPid: number | undefined
  t.after(() => {
    // A server left behind by a failure must not outlive the test.
    if (serverPid !== undefined) try { process.kill(serverPid, 'SIGKILL') } catch {}
    if (npm.exitCode === null) npm.kill('SIGKILL')
  })

  const port = await new Promise<number>((resolve, reject) => {
    const look = (): void => {
      const listening = /listening on http:\/\/[^\s:]+:(\d+)/.exec(out)
      // pino stamps every line with the process ID: the server's own, not npm's.
      const pid = /"pid":(\d+)/.exec(out)
      if (listening?.[1] !== undefined && pid?.[1] !== undefined) {
        npm.stdout.off('data', look)
        serverPid = Number(pid[1])
        resolve(Number(listening[1]))
      }
    }
    npm.stdout.on('data', look)
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code} before the server was up:\n${out}`)))
  })
  assert.notEqual(serverPid, npm.pid, 'the server runs in a process of its own under npm')
  await usesTheBuiltServer(port)
  // An ES module has no __dirname or __filename: a bundled package that uses them unguarded throws when it runs.
  const guarded = /typeof __(dirname|filename) !== "undefined" \? __(dirname|filename)/g
  const bare = builtFiles(join(projectRoot(), 'dist', 'src')).flatMap((file) => [...readFileSync(file, 'utf8').replace(guarded, '').matchAll(/\b__(dirname|filename)\b/g)].map(() => file))
  assert.deepEqual(bare, [], 'a package that needs its own file place belongs in EXTERNAL of scripts/build.mjs')

  npm.kill('SIGTERM')
  await closed
  assert.match(out, /shutting down/, out)
  const refused = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
  })
  assert.equal(refused, 'ECONNREFUSED', 'nothing listens on the port any more')
})
