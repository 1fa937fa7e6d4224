import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/config.js'
import { ConfigError } from '../../src/errors/app-error.js'
import { DEFAULT_LLM_TIMEOUT_MS, LLM_ENV_VARIABLES, readLlmConfig } from '../../src/llm/config.js'
import { projectFile } from '../../src/lib/paths.js'

const BASE = { LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'qwen3:4b' }

function rejects (env: Record<string, string>, variable: string): ConfigError {
  try {
    readLlmConfig(env)
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`)
    assert.equal(err.variable, variable)
    return err
  }
  assert.fail(`expected a ConfigError for ${variable}`)
}

function keyFile (t: { after: (fn: () => void) => void }, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-key-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'key')
  writeFileSync(file, content)
  return file
}

test('no LLM_BASE_URL: no LLM configuration, whatever else is set', () => {
  assert.equal(readLlmConfig({}), undefined)
  assert.equal(readLlmConfig({ LLM_BASE_URL: '  ', LLM_MODEL: 'x' }), undefined)
})

test('a base URL and a model: trailing slash dropped, default timeout, no key', () => {
  assert.deepEqual(readLlmConfig({ LLM_BASE_URL: ' http://127.0.0.1:11434/v1/ ', LLM_MODEL: ' qwen3:4b ' }), {
    baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen3:4b', timeoutMs: DEFAULT_LLM_TIMEOUT_MS
  })
  assert.equal(readLlmConfig({ ...BASE, LLM_BASE_URL: 'https://localhost:8443' })?.baseUrl, 'https://localhost:8443')
  assert.equal(readLlmConfig({ ...BASE, LLM_TIMEOUT_MS: '2500' })?.timeoutMs, 2500)
})

test('bad values are refused naming the variable', () => {
  rejects({ ...BASE, LLM_BASE_URL: 'ftp://127.0.0.1/v1' }, 'LLM_BASE_URL')
  rejects({ ...BASE, LLM_BASE_URL: '127.0.0.1:11434' }, 'LLM_BASE_URL')
  rejects({ ...BASE, LLM_BASE_URL: 'not a url' }, 'LLM_BASE_URL')
  rejects({ ...BASE, LLM_BASE_URL: 'http://127.0.0.1:11434/v1?x=1' }, 'LLM_BASE_URL')
  const full = rejects({ ...BASE, LLM_BASE_URL: 'http://127.0.0.1:11434/v1/chat/completions' }, 'LLM_BASE_URL')
  assert.match(full.message, /http:\/\/127\.0\.0\.1:11434\/v1\)/)
  rejects({ LLM_BASE_URL: BASE.LLM_BASE_URL }, 'LLM_MODEL')
  rejects({ ...BASE, LLM_MODEL: ' ' }, 'LLM_MODEL')
  for (const bad of ['0', '99', '1.5', '10s', '-1', '3600001']) rejects({ ...BASE, LLM_TIMEOUT_MS: bad }, 'LLM_TIMEOUT_MS')
})

test('credentials in the URL are refused without repeating them', () => {
  const err = rejects({ ...BASE, LLM_BASE_URL: 'http://user:hunter2-secret@127.0.0.1:11434/v1' }, 'LLM_BASE_URL')
  assert.doesNotMatch(err.message, /hunter2/)
})

test('the API key is taken exactly; impossible keys are refused without showing them', (t) => {
  assert.equal(readLlmConfig({ ...BASE, LLM_API_KEY: 'sk-abc=+/_' })?.apiKey, 'sk-abc=+/_')
  assert.equal(readLlmConfig({ ...BASE, LLM_API_KEY: '' })?.apiKey, undefined)
  for (const bad of [' sk-padded', 'sk-padded ', 'sk-two\nlines', 'sk-\tab', 'sk-é']) {
    const err = rejects({ ...BASE, LLM_API_KEY: bad }, 'LLM_API_KEY')
    assert.doesNotMatch(err.message, /padded|two|lines|sk-/)
  }
  const both = rejects({ ...BASE, LLM_API_KEY: 'sk-one', LLM_API_KEY_FILE: keyFile(t, 'sk-two') }, 'LLM_API_KEY_FILE')
  assert.doesNotMatch(both.message, /sk-/)
})

test('LLM_API_KEY_FILE: one trailing newline dropped, nothing else trimmed', (t) => {
  assert.equal(readLlmConfig({ ...BASE, LLM_API_KEY_FILE: keyFile(t, 'sk-from-file\n') })?.apiKey, 'sk-from-file')
  assert.equal(readLlmConfig({ ...BASE, LLM_API_KEY_FILE: keyFile(t, 'sk-from-file\r\n') })?.apiKey, 'sk-from-file')
  assert.equal(readLlmConfig({ ...BASE, LLM_API_KEY_FILE: keyFile(t, 'sk-from-file') })?.apiKey, 'sk-from-file')
  // A second newline or surrounding spaces are part of the file, so the key is refused rather than silently changed.
  rejects({ ...BASE, LLM_API_KEY_FILE: keyFile(t, 'sk-from-file\n\n') }, 'LLM_API_KEY_FILE')
  rejects({ ...BASE, LLM_API_KEY_FILE: keyFile(t, ' sk-from-file\n') }, 'LLM_API_KEY_FILE')
  rejects({ ...BASE, LLM_API_KEY_FILE: keyFile(t, '\n') }, 'LLM_API_KEY_FILE')
  const missing = rejects({ ...BASE, LLM_API_KEY_FILE: join(tmpdir(), 'no-such-dir-llm', 'key') }, 'LLM_API_KEY_FILE')
  assert.match(missing.message, /ENOENT/)
})

test('loadConfig carries the LLM configuration, and its errors', () => {
  const env = { MCP_BEARER_TOKEN: 'test-token-one-0123456789' }
  assert.equal(loadConfig(env).llm, undefined)
  assert.deepEqual(loadConfig({ ...env, ...BASE, LLM_API_KEY: 'sk-1' }).llm, {
    baseUrl: BASE.LLM_BASE_URL, model: BASE.LLM_MODEL, timeoutMs: DEFAULT_LLM_TIMEOUT_MS, apiKey: 'sk-1'
  })
  assert.throws(() => loadConfig({ ...env, LLM_BASE_URL: BASE.LLM_BASE_URL }), (err: unknown) => err instanceof ConfigError && err.variable === 'LLM_MODEL')
})

test('the README configuration table lists every LLM variable', async () => {
  const readme = await readFile(projectFile('docs', 'configuration.md'), 'utf8')
  const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]))
  assert.deepEqual(LLM_ENV_VARIABLES.filter((name) => !documented.has(name)), [])
})
