import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { buildTestApp, scratchFile, testConfig, TOKENS } from '../helper.js'

// mcp-remote, as Claude Desktop users run it for a remote server: stdio on one side, our /mcp on the other.
async function mcpRemote (t: TestContext, url: string, token: string): Promise<{ stdout: string, stderr: string, code: number | null }> {
  const home = scratchFile('mcp-remote-home')
  mkdirSync(home, { recursive: true })
  const child = spawn(process.execPath, [createRequire(import.meta.url).resolve('mcp-remote/dist/proxy.js'), url, '--header', `Authorization: Bearer ${token}`, '--allow-http', '--transport', 'http-only'], {
    env: { PATH: process.env.PATH ?? '', HOME: home, MCP_REMOTE_CONFIG_DIR: join(home, '.mcp-auth') },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += String(chunk) })
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const exited = once(child, 'exit')
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'claude-desktop-like', version: '1' } } })}\n`)
  // It answers on stdout once connected, or exits when it cannot connect; either ends the wait.
  await Promise.race([exited, new Promise<void>((resolve) => { child.stdout.on('data', () => { if (/"id":1/.test(stdout)) resolve() }) })])
  if (child.exitCode === null) {
    child.stdin.end()
    child.kill('SIGTERM')
    await exited
  }
  return { stdout, stderr, code: child.exitCode }
}

test('mcp-remote: the right token connects; a wrong one is reported as a wrong token, not as a failed OAuth registration', { timeout: 60_000 }, async (t) => {
  const app = await buildTestApp(t, testConfig())
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/mcp`
  const good = await mcpRemote(t, url, TOKENS[0])
  assert.match(good.stdout, /"serverInfo"/, good.stderr.slice(-2000))
  const wrong = await mcpRemote(t, url, 'a-wrong-token-0123456789abcdef')
  assert.match(wrong.stderr, /INVALID_TOKEN|not one it knows/, wrong.stderr.slice(-2000))
  assert.doesNotMatch(wrong.stderr, /Registration|registerClient|oauth-authorization-server/i)
  assert.doesNotMatch(wrong.stdout, /"serverInfo"/)
})
