import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ENV_VARIABLES, loadConfig } from '../src/config/config.js'
import { ConfigError } from '../src/errors/app-error.js'
import { projectFile } from '../src/lib/paths.js'

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
  await writeFile(join(dir, 'password'), ' s3cret pass \n')
  const config = loadConfig({
    MCP_BEARER_TOKEN_FILE: join(dir, 'tokens'),
    SCALE_HOST: '127.0.0.5',
    SCALE_USERNAME: 'admin',
    SCALE_PASSWORD_FILE: join(dir, 'password')
  })
  assert.deepEqual(config.tokens, [token, `${token}-second`])
  assert.equal(config.cluster?.password, ' s3cret pass ', 'taken exactly, only the one trailing newline dropped')
  await writeFile(join(dir, 'password2'), 'pw\n\n')
  assert.equal(loadConfig({ SCALE_HOST: 'localhost', SCALE_USERNAME: 'u', SCALE_PASSWORD_FILE: join(dir, 'password2') }).cluster?.password, 'pw\n')
  assert.equal(loadConfig({ SCALE_HOST: 'localhost', SCALE_USERNAME: 'u', SCALE_PASSWORD: '  spaced out  ' }).cluster?.password, '  spaced out  ')
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
  assert.equal(loadConfig({ ...base, SCALE_HOST: '127.0.0.5' }).cluster?.url, 'https://127.0.0.5')
  assert.equal(loadConfig({ ...base, SCALE_HOST: 'https://localhost:8443/rest/v1/' }).cluster?.url, 'https://localhost:8443')
  assert.equal(loadConfig({ ...base, SCALE_HOST: 'http://127.0.0.1:9000' }).cluster?.url, 'http://127.0.0.1:9000')
  fails({ ...base, SCALE_HOST: 'https://localhost/other' }, 'SCALE_HOST', /path/)
  fails({ ...base, SCALE_HOST: 'https://u:p@localhost' }, 'SCALE_HOST', /credentials/)
  fails({ ...base, SCALE_HOST: 'ftp://localhost' }, 'SCALE_HOST')
  fails({ SCALE_HOST: '127.0.0.5', SCALE_PASSWORD: 'pw' }, 'SCALE_USERNAME')
  fails({ SCALE_HOST: '127.0.0.5', SCALE_USERNAME: 'admin' }, 'SCALE_PASSWORD')
})

test('TLS options: fingerprint normalised, modes exclusive, session file under the state dir', () => {
  const base = { SCALE_HOST: 'localhost', SCALE_USERNAME: 'admin', SCALE_PASSWORD: 'pw', HOME: '/home/u', XDG_STATE_HOME: '' }
  const fp = 'ab'.repeat(32)
  const config = loadConfig({ ...base, SCALE_TLS_FINGERPRINT: fp })
  assert.equal(config.cluster?.tlsFingerprint, Array(32).fill('AB').join(':'))
  assert.equal(config.cluster?.insecureTls, false)
  if (process.platform === 'linux') assert.equal(config.cluster?.sessionFile, '/home/u/.local/state/scale-api-helper/session-localhost.json')
  const colons = Array(32).fill('AB').join(':')
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `sha256 Fingerprint=${colons.toLowerCase()}` }).cluster?.tlsFingerprint, colons)
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `SHA256 Fingerprint=${colons}` }).cluster?.tlsFingerprint, colons)
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `sha256/${fp}` }).cluster?.tlsFingerprint, colons)
  fails({ ...base, SCALE_TLS_FINGERPRINT: fp, SCALE_INSECURE_TLS: 'true' }, 'SCALE_INSECURE_TLS', /one of/)
  assert.equal(loadConfig({ ...base, SCALE_INSECURE_TLS: 'true' }).cluster?.insecureTls, true)
})

test('the README configuration table lists every variable the server reads', async () => {
  const readme = await readFile(projectFile('docs', 'configuration.md'), 'utf8')
  const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]))
  assert.deepEqual(ENV_VARIABLES.filter((name) => !documented.has(name)), [])
})

test('AUTH_FILE: named callers with roles, tokens in clear or as SHA-256, mistakes named by line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sah-auth-'))
  const file = join(dir, 'callers.yaml')
  const digest = 'a'.repeat(64)
  await writeFile(file, `callers:\n  - name: ada\n    role: admin\n    sha256: ${digest}\n  - name: bob\n    role: reader\n    token: bobs-token-0123456789\n`)
  const config = loadConfig({ AUTH_FILE: file })
  assert.equal(config.tokenGenerated, false, 'no token is generated when AUTH_FILE names callers')
  assert.deepEqual(config.callers.map((c) => [c.name, c.role, c.sha256.length]), [['ada', 'admin', 32], ['bob', 'reader', 32]])
  assert.ok(!JSON.stringify(config).includes('bobs-token-0123456789'), 'the clear token is not kept')
  const both = loadConfig({ AUTH_FILE: file, MCP_BEARER_TOKEN: token })
  assert.deepEqual(both.callers.map((c) => [c.name, c.role]), [['token-1', 'operator'], ['ada', 'admin'], ['bob', 'reader']])

  const bad: Array<[string, RegExp]> = [
    ['- name: x\n  role: boss\n  token: tok-0123456789abcdef\n', /line 2: role must be one of reader, operator, admin, approver/],
    ['- name: x\n  role: reader\n  token: short\n', /line 3: token must be at least 16 characters/],
    ['- name: x\n  role: reader\n  sha256: nothex\n', /line 3: sha256 must be 64 hex digits/],
    ['- name: x\n  role: reader\n', /line 1: give exactly one of token or sha256/],
    ['- name: x\n  role: reader\n  token: tok-0123456789abcdef\n- name: x\n  role: admin\n  token: tok-0123456789abcdeg\n', /line 4: the name "x" is used twice/],
    ['- name: x\n  role: reader\n  token: tok-0123456789abcdef\n  colour: red\n', /line 4: unknown key "colour"/]
  ]
  for (const [text, pattern] of bad) {
    await writeFile(file, text)
    fails({ AUTH_FILE: file }, 'AUTH_FILE', pattern)
  }
})

test('safety settings: mode, confirmation channel, TTL, secret, policy and audit file', async () => {
  const config = loadConfig({ MCP_BEARER_TOKEN: token, HOME: '/home/someone', XDG_STATE_HOME: '' })
  assert.equal(config.safety.mode, 'confirm')
  assert.equal(config.safety.confirmVia, 'token')
  assert.equal(config.safety.confirmTtlMs, 300_000)
  assert.equal(config.safety.confirmKeyGenerated, true)
  assert.equal(config.rateLimitPerMinute, 120)
  assert.match(config.safety.auditFile, /scale-api-helper\/audit\.jsonl$/)
  fails({ MCP_BEARER_TOKEN: token, SCALE_MODE: 'yolo' }, 'SCALE_MODE')
  fails({ MCP_BEARER_TOKEN: token, CONFIRM_SECRET: 'too-short' }, 'CONFIRM_SECRET', /at least 32/)
  fails({ MCP_BEARER_TOKEN: token, CONFIRM_VIA: 'approval' }, 'CONFIRM_VIA', /admin or approver/)
  const shared = loadConfig({ MCP_BEARER_TOKEN: token, CONFIRM_SECRET: ' '.repeat(2) + 'x'.repeat(40) })
  assert.equal(shared.safety.confirmKey.toString(), '  ' + 'x'.repeat(40))
  fails({ MCP_BEARER_TOKEN: token, PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL')
  assert.equal(loadConfig({ MCP_BEARER_TOKEN: token, PUBLIC_URL: 'https://tools.example/' }).publicUrl, 'https://tools.example')
})

test('STORE_URL: redis:// or rediss:// with a host, only beside a shared CONFIRM_SECRET, its password never in an error', () => {
  const secret = { CONFIRM_SECRET: 'a-shared-secret-of-enough-length-0123' }
  fails({ STORE_URL: 'redis://127.0.0.1:6379' }, 'CONFIRM_SECRET', /same value on every replica/)
  fails({ ...secret, STORE_URL: 'http://127.0.0.1:6379' }, 'STORE_URL', /redis:\/\//)
  assert.throws(() => loadConfig({ ...secret, STORE_URL: 'redis://:hunter2-secret@' }), (err: unknown) => err instanceof ConfigError && err.variable === 'STORE_URL' && !err.message.includes('hunter2'))
  assert.throws(() => loadConfig({ ...secret, STORE_URL: 'not a url hunter2' }), (err: unknown) => err instanceof ConfigError && !err.message.includes('hunter2'))
  const config = loadConfig({ ...secret, STORE_URL: 'rediss://app:p%40ss@127.0.0.1:6380/2', STORE_PREFIX: 'team-a:' })
  assert.deepEqual(config.store, { url: 'rediss://app:p%40ss@127.0.0.1:6380/2', prefix: 'team-a:', timeoutMs: 1000, password: 'p@ss' })
  assert.equal(loadConfig({}).store, undefined)
})

test('OAUTH_ISSUER: https (http only on loopback), beside PUBLIC_URL, asymmetric algorithms only; AUTH_FILE identities read with their lines', async () => {
  const base = { OAUTH_ISSUER: 'https://login.corp.example/realms/it', PUBLIC_URL: 'https://scale-helper.corp.example' }
  fails({ OAUTH_ISSUER: base.OAUTH_ISSUER }, 'PUBLIC_URL', /OAuth sign-in needs/)
  fails({ ...base, OAUTH_ISSUER: 'http://login.corp.example' }, 'OAUTH_ISSUER', /https/)
  fails({ ...base, OAUTH_ALGORITHMS: 'RS256,HS256' }, 'OAUTH_ALGORITHMS', /"HS256" is not accepted/)
  fails({ ...base, OAUTH_ALGORITHMS: 'none' }, 'OAUTH_ALGORITHMS', /never none/)
  const config = loadConfig({ ...base, OAUTH_REQUIRED_SCOPES: 'scale' })
  assert.deepEqual(config.oauth?.audiences, ['https://scale-helper.corp.example', 'https://scale-helper.corp.example/mcp'])
  assert.deepEqual(config.oauth?.requiredScopes, ['scale'])
  const file = join(await mkdtemp(join(tmpdir(), 'sah-auth-')), 'auth.yaml')
  await writeFile(file, 'identities:\n  - { group: "/it/scale-admins", role: admin }\n  - { user: alice@corp.example, role: operator, tags: [east] }\n')
  const withRules = loadConfig({ ...base, AUTH_FILE: file })
  assert.deepEqual(withRules.oauth?.identities, [{ group: '/it/scale-admins', role: 'admin' }, { user: 'alice@corp.example', role: 'operator', scope: { tags: ['east'] } }])
  fails({ AUTH_FILE: file }, 'AUTH_FILE', /OAUTH_ISSUER is not set/)
  await writeFile(file, 'identities:\n  - { group: ops, role: operator }\n  - { group: x, user: y, role: reader }\n')
  fails({ ...base, AUTH_FILE: file }, 'AUTH_FILE', /line 3: give exactly one of group or user/)
})
