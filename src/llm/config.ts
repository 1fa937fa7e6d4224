import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors/app-error.js'

/** How `ask` reaches an OpenAI-compatible chat server (Ollama, vLLM, llama.cpp server, LM Studio). */
export interface LlmConfig {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:11434/v1`; requests go to `{baseUrl}/chat/completions`. */
  baseUrl: string
  model: string
  /** Sent as `Authorization: Bearer`; never logged or shown. */
  apiKey?: string
  /** Deadline of one whole answer: connect, headers and body. */
  timeoutMs: number
}

/** The variables `readLlmConfig` reads, for the README table and `--help`. */
export const LLM_ENV_VARIABLES = ['LLM_BASE_URL', 'LLM_MODEL', 'LLM_API_KEY', 'LLM_API_KEY_FILE', 'LLM_TIMEOUT_MS'] as const

/** Default of LLM_TIMEOUT_MS: a small model on a CPU, loading on first use, can take a minute or two. */
export const DEFAULT_LLM_TIMEOUT_MS = 120_000

const MIN_TIMEOUT_MS = 100
const MAX_TIMEOUT_MS = 3_600_000

/**
 * Reads and checks the LLM variables. Answers undefined when LLM_BASE_URL is unset or empty (ask is then not offered);
 * throws a ConfigError naming the variable for anything invalid. Secret values never appear in a message.
 */
export function readLlmConfig (env: Record<string, string | undefined>): LlmConfig | undefined {
  const base = nonEmpty(env.LLM_BASE_URL)
  if (base === undefined) return undefined
  const baseUrl = normaliseBaseUrl(base)
  const model = nonEmpty(env.LLM_MODEL)
  if (model === undefined) {
    throw new ConfigError('LLM_MODEL', 'is required when LLM_BASE_URL is set: the model name the server knows, e.g. qwen3:4b for Ollama')
  }
  const config: LlmConfig = { baseUrl, model, timeoutMs: readTimeout(env.LLM_TIMEOUT_MS) }
  const apiKey = readApiKey(env)
  if (apiKey !== undefined) config.apiKey = apiKey
  return config
}

function normaliseBaseUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError('LLM_BASE_URL', `is not a URL; give the server's OpenAI-compatible base, e.g. http://127.0.0.1:11434/v1 (got ${JSON.stringify(value)})`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('LLM_BASE_URL', `must start with http:// or https:// (got ${url.protocol})`)
  }
  if (url.username !== '' || url.password !== '') {
    // The URL is shown in messages and logs; a password in it would leak there.
    throw new ConfigError('LLM_BASE_URL', 'must not contain credentials; put the key in LLM_API_KEY or LLM_API_KEY_FILE')
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError('LLM_BASE_URL', 'must not contain a query string or fragment')
  }
  const path = url.pathname.replace(/\/+$/, '')
  if (/\/chat\/completions$/i.test(path)) {
    throw new ConfigError('LLM_BASE_URL', `is the base URL, without /chat/completions (use ${url.origin}${path.replace(/\/chat\/completions$/i, '')})`)
  }
  return `${url.origin}${path}`
}

function readTimeout (value: string | undefined): number {
  const text = nonEmpty(value)
  if (text === undefined) return DEFAULT_LLM_TIMEOUT_MS
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < MIN_TIMEOUT_MS || n > MAX_TIMEOUT_MS) {
    throw new ConfigError('LLM_TIMEOUT_MS', `must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS} (got ${JSON.stringify(text)})`)
  }
  return n
}

function readApiKey (env: Record<string, string | undefined>): string | undefined {
  // An empty LLM_API_KEY means "no key", as for the other optional variables; the value itself is never trimmed.
  const key = env.LLM_API_KEY === '' ? undefined : env.LLM_API_KEY
  const file = nonEmpty(env.LLM_API_KEY_FILE)
  if (key !== undefined && file !== undefined) {
    throw new ConfigError('LLM_API_KEY_FILE', 'set either LLM_API_KEY or LLM_API_KEY_FILE, not both')
  }
  if (file !== undefined) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      throw new ConfigError('LLM_API_KEY_FILE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    // Editors end files with a newline; anything else in the file is part of the key.
    const value = text.replace(/\r?\n$/, '')
    if (value === '') throw new ConfigError('LLM_API_KEY_FILE', `${file} is empty`)
    return checkKey('LLM_API_KEY_FILE', value)
  }
  return key === undefined ? undefined : checkKey('LLM_API_KEY', key)
}

function checkKey (variable: string, key: string): string {
  // A header value cannot carry control characters, and HTTP drops leading/trailing white space: such a key
  // would not arrive as given, so say so instead of sending something else.
  if ([...key].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new ConfigError(variable, 'contains a line break or another control character; the key must be a single line')
  }
  if (/^\s|\s$/.test(key)) throw new ConfigError(variable, 'starts or ends with white space, which HTTP would drop; remove it')
  if (/[^\x20-\x7e]/.test(key)) throw new ConfigError(variable, 'contains a character outside printable ASCII, which an HTTP header cannot carry')
  return key
}

function nonEmpty (value: string | undefined): string | undefined {
  const text = value?.trim()
  return text === undefined || text === '' ? undefined : text
}
