import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ENV_VARIABLES, loadConfig } from '../src/config.js'
import { ConfigError } from '../src/errors.js'
import { projectFile } from '../src/paths.js'

const token = 'a-token-that-is-long-enough'

function fails (env: Record<string, string>, variable: string, pattern?: RegExp): void {
  assert.throws(() => loadConfig(env), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err))
    assert.equal(err.variable, variable)
    if (pattern) assert.match(err.message, pattern)
    return true
  })
}

test('defaults: 127.0.0.1:5075, simulator mode, a generated token', () => {
  const config = loadConfig({})
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.port, 5075)
  assert.equal(config.cluster, undefined)
  assert.equal(config.tokenGenerated, true)
  assert.equal(config.tokens.length, 1)
  assert.ok((config.tokens[0] ?? '').length >= 40)
  assert.notEqual(loadConfig({}).tokens[0], config.tokens[0], 'each process gets its own token')
})

test('several comma-separated tokens are accepted', () => {
  const config = loadConfig({ MCP_BEARER_TOKEN: `${token}, ${token}-2` })
  assert.deepEqual(config.tokens, [token, `${token}-2`])
  assert.equal(config.tokenGenerated, false)
})

test('an empty or whitespace token is rejected at start', () => {
  fails({ MCP_BEARER_TOKEN: '' }, 'MCP_BEARER_TOKEN', /empty/)
  fails({ MCP_BEARER_TOKEN: '   ' }, 'MCP_BEARER_TOKEN', /empty/)
  fails({ MCP_BEARER_TOKEN: `${token},,other-token-long-enough` }, 'MCP_BEARER_TOKEN', /empty/)
  fails({ MCP_BEARER_TOKEN: 'short' }, 'MCP_BEARER_TOKEN', /16/)
})

test('tokens and the password can come from *_FILE variables', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sah-config-'))
  await writeFile(join(dir, 'tokens'), `${token}\n${token}-second\n`)
  await writeFile(join(dir, 'password'), 's3cret pass\n')
  const config = loadConfig({
    MCP_BEARER_TOKEN_FILE: join(dir, 'tokens'),
    SCALE_HOST: '10.0.0.5',
    SCALE_USERNAME: 'admin',
    SCALE_PASSWORD_FILE: join(dir, 'password')
  })
  assert.deepEqual(config.tokens, [token, `${token}-second`])
  assert.equal(config.cluster?.password, 's3cret pass')
  fails({ MCP_BEARER_TOKEN_FILE: join(dir, 'missing') }, 'MCP_BEARER_TOKEN_FILE', /cannot read/)
  fails({ MCP_BEARER_TOKEN: token, MCP_BEARER_TOKEN_FILE: join(dir, 'tokens') }, 'MCP_BEARER_TOKEN_FILE', /not both/)
})

test('a bad value names its variable', () => {
  fails({ PORT: 'eighty' }, 'PORT')
  fails({ PORT: '70000' }, 'PORT')
  fails({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL')
  fails({ SCALE_AUTH: 'kerberos' }, 'SCALE_AUTH')
  fails({ SCALE_TIMEOUT_MS: '-5' }, 'SCALE_TIMEOUT_MS')
  fails({ SCALE_TLS_FINGERPRINT: 'abc' }, 'SCALE_TLS_FINGERPRINT')
})

test('SCALE_HOST: a bare host means https; a path or credentials are refused', () => {
  const base = { SCALE_USERNAME: 'admin', SCALE_PASSWORD: 'pw' }
  assert.equal(loadConfig({ ...base, SCALE_HOST: '10.0.0.5' }).cluster?.url, 'https://10.0.0.5')
  assert.equal(loadConfig({ ...base, SCALE_HOST: 'https://hc.example:8443/rest/v1/' }).cluster?.url, 'https://hc.example:8443')
  assert.equal(loadConfig({ ...base, SCALE_HOST: 'http://127.0.0.1:9000' }).cluster?.url, 'http://127.0.0.1:9000')
  fails({ ...base, SCALE_HOST: 'https://hc.example/other' }, 'SCALE_HOST', /path/)
  fails({ ...base, SCALE_HOST: 'https://u:p@hc.example' }, 'SCALE_HOST', /credentials/)
  fails({ ...base, SCALE_HOST: 'ftp://hc.example' }, 'SCALE_HOST')
  fails({ SCALE_HOST: '10.0.0.5', SCALE_PASSWORD: 'pw' }, 'SCALE_USERNAME')
  fails({ SCALE_HOST: '10.0.0.5', SCALE_USERNAME: 'admin' }, 'SCALE_PASSWORD')
})

test('TLS options: fingerprint normalised, modes exclusive, session file under the state dir', () => {
  const base = { SCALE_HOST: 'hc.example', SCALE_USERNAME: 'admin', SCALE_PASSWORD: 'pw', HOME: '/home/u', XDG_STATE_HOME: '' }
  const fp = 'ab'.repeat(32)
  const config = loadConfig({ ...base, SCALE_TLS_FINGERPRINT: fp })
  assert.equal(config.cluster?.tlsFingerprint, Array(32).fill('AB').join(':'))
  assert.equal(config.cluster?.insecureTls, false)
  if (process.platform === 'linux') assert.equal(config.cluster?.sessionFile, '/home/u/.local/state/scale-api-helper/session-hc.example.json')
  const colons = Array(32).fill('AB').join(':')
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `sha256 Fingerprint=${colons.toLowerCase()}` }).cluster?.tlsFingerprint, colons)
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `SHA256 Fingerprint=${colons}` }).cluster?.tlsFingerprint, colons)
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `sha256/${fp}` }).cluster?.tlsFingerprint, colons)
  fails({ ...base, SCALE_TLS_FINGERPRINT: fp, SCALE_INSECURE_TLS: 'true' }, 'SCALE_INSECURE_TLS', /one of/)
  assert.equal(loadConfig({ ...base, SCALE_INSECURE_TLS: 'true' }).cluster?.insecureTls, true)
})

test('the README configuration table lists every variable the server reads', async () => {
  const readme = await readFile(projectFile('README.md'), 'utf8')
  const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]))
  assert.deepEqual(ENV_VARIABLES.filter((name) => !documented.has(name)), [])
})
