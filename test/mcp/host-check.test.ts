import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/config.js'
import { ConfigError } from '../../src/errors/app-error.js'
import { checkHostAndOrigin, hostAllowList } from '../../src/faces/mcp-http/host-check.js'

const TOKEN = 'a-token-of-sixteen-chars-or-more'
const allowFor = (env: Record<string, string>): ReturnType<typeof hostAllowList> => hostAllowList(loadConfig({ MCP_BEARER_TOKEN: TOKEN, ...env }))
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as { code?: string }).code
  }
}

test('on a loopback address /mcp answers only loopback names; elsewhere any Host unless ALLOWED_HOSTS or PUBLIC_URL says', () => {
  assert.deepEqual(allowFor({}).hosts, ['localhost', '127.0.0.1', '[::1]'])
  assert.deepEqual(allowFor({ HOST: '::1' }).hosts, ['localhost', '127.0.0.1', '[::1]'])
  assert.equal(allowFor({ HOST: '0.0.0.0' }).hosts, undefined)
  assert.deepEqual(allowFor({ HOST: '0.0.0.0', PUBLIC_URL: 'https://tools.example/helper' }).hosts, ['localhost', '127.0.0.1', '[::1]', 'tools.example'])
  assert.deepEqual(allowFor({ HOST: '0.0.0.0', ALLOWED_HOSTS: 'Tools.Example:5075, 10.0.0.9, ::1' }).hosts, ['tools.example', '10.0.0.9', '[::1]'])
  assert.equal(allowFor({ ALLOWED_HOSTS: '*' }).hosts, undefined)
})

test('browser origins: the allowed hosts, the loopback names, PUBLIC_URL and CORS_ORIGINS; no Origin at all passes', () => {
  const allow = allowFor({ HOST: '0.0.0.0', CORS_ORIGINS: 'https://webui.example:3000' })
  assert.equal(codeOf(() => { checkHostAndOrigin('anything.example', 'https://webui.example:3000', allow) }), undefined)
  assert.equal(codeOf(() => { checkHostAndOrigin('anything.example', 'http://localhost:8080', allow) }), undefined)
  assert.equal(codeOf(() => { checkHostAndOrigin('anything.example', undefined, allow) }), undefined)
  assert.equal(codeOf(() => { checkHostAndOrigin('anything.example', 'https://evil.example', allow) }), 'ORIGIN_NOT_ALLOWED')
  assert.equal(codeOf(() => { checkHostAndOrigin('anything.example', 'null', allow) }), 'ORIGIN_NOT_ALLOWED')
  const loopback = allowFor({})
  assert.equal(codeOf(() => { checkHostAndOrigin('127.0.0.1:5075', undefined, loopback) }), undefined)
  assert.equal(codeOf(() => { checkHostAndOrigin('evil.example:5075', undefined, loopback) }), 'HOST_NOT_ALLOWED')
  assert.equal(codeOf(() => { checkHostAndOrigin(undefined, undefined, loopback) }), 'HOST_NOT_ALLOWED')
})

test('ALLOWED_HOSTS, MCP_STDIO_ROLE and the session limits are checked at start', () => {
  for (const [variable, value] of [['ALLOWED_HOSTS', 'tools.example/path'], ['ALLOWED_HOSTS', 'a,*'], ['ALLOWED_HOSTS', ' , '], ['MCP_STDIO_ROLE', 'root'], ['MCP_MAX_SESSIONS', '0'], ['MCP_SESSION_IDLE_MINUTES', 'soon']] as const) {
    assert.throws(() => loadConfig({ MCP_BEARER_TOKEN: TOKEN, [variable]: value }), (err: unknown) => err instanceof ConfigError && err.variable === variable, `${variable}=${value}`)
  }
  const config = loadConfig({ MCP_BEARER_TOKEN: TOKEN })
  assert.deepEqual({ role: config.mcp.stdioRole, max: config.mcp.maxSessions, idleMs: config.mcp.sessionIdleMs }, { role: 'operator', max: 100, idleMs: 60 * 60_000 })
})
