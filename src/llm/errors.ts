import { AppError } from '../errors/app-error.js'
import { errorCode, netFailure } from '../errors/network.js'

/** Where an LLM call went, for messages: the base URL (never credentials) and the deadline. */
export interface LlmCallSite {
  baseUrl: string
  model: string
  timeoutMs: number
}

/** How to turn `ask` on, shared by the tool's error and the CLI. */
export const CONFIGURE_HINT = 'Set LLM_BASE_URL to an OpenAI-compatible server and LLM_MODEL to its model, ' +
  'e.g. for Ollama: ollama pull qwen3:4b, then LLM_BASE_URL=http://127.0.0.1:11434/v1 LLM_MODEL=qwen3:4b.'

/** The error `ask` answers when no LLM server is configured. */
export function llmNotConfigured (): AppError {
  return new AppError('LLM_NOT_CONFIGURED', `ask needs a language model and none is configured. ${CONFIGURE_HINT}`, 503)
}

/** An unusable answer from the LLM server (malformed, empty, cut off, or an error it reported). */
export function llmBadResponse (site: LlmCallSite, what: string, details?: Record<string, unknown>): AppError {
  return new AppError('LLM_BAD_RESPONSE', `The LLM server at ${site.baseUrl} (model ${site.model}) ${what}`, 502, details === undefined ? {} : { details })
}

/** The LLM call ran past LLM_TIMEOUT_MS. */
export function llmTimeout (site: LlmCallSite): AppError {
  return new AppError('LLM_TIMEOUT', `The LLM server at ${site.baseUrl} (model ${site.model}) did not finish answering within ${site.timeoutMs} ms. ` +
    'A small model on a CPU can be slow, especially on first use while it loads; LLM_TIMEOUT_MS sets the limit.', 504, { details: { timeoutMs: site.timeoutMs } })
}

/** The caller gave up (its AbortSignal fired); 499 as proxies log a client that went away, since nobody reads the answer. */
export function llmCancelled (site: LlmCallSite): AppError {
  return new AppError('LLM_CANCELLED', `The question to the LLM server at ${site.baseUrl} was cancelled.`, 499)
}

/**
 * Maps a transport failure of an LLM call to our error shape. `timedOut` and `cancelled` say which signal, if any,
 * ended the call: undici reports both as a plain abort.
 */
export function mapLlmError (err: unknown, site: LlmCallSite, state: { timedOut: boolean, cancelled: boolean }): AppError {
  if (err instanceof AppError) return err
  if (state.timedOut) return llmTimeout(site)
  if (state.cancelled) return llmCancelled(site)
  const code = errorCode(err)
  const kind = netFailure(code)
  if (code !== undefined && kind === 'unreachable') {
    const why = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'the connection attempt timed out' : code
    return new AppError('LLM_UNREACHABLE', `Cannot reach the LLM server at ${site.baseUrl} (${why}). ` +
      'Check LLM_BASE_URL and that the server is running (for Ollama: ollama serve).', 502, { details: { cause: code } })
  }
  if (kind === 'timeout') return llmTimeout(site)
  // Our own client closing mid-answer cuts it short just as the server hanging up would.
  if (code !== undefined && (kind === 'reset' || kind === 'closed')) {
    return llmBadResponse(site, `closed the connection before the answer was complete (${code}).`, { cause: code })
  }
  if (code !== undefined) return llmBadResponse(site, `failed: ${code}.`, { cause: code })
  // Without a network code it is not the server's doing but a bug here: let it surface as one.
  throw err
}

/** A non-2xx answer, with the server's own message (the key scrubbed) and a hint for the usual causes. */
export function llmHttpError (site: LlmCallSite, status: number, body: string, secret: string | undefined): AppError {
  const text = scrubSecret(body, secret)
  const said = serverMessage(text)
  let hint = ''
  if (status === 401 || status === 403) hint = ' Check LLM_API_KEY (or LLM_API_KEY_FILE).'
  else if (status === 404) hint = ` Check LLM_BASE_URL (it usually ends in /v1) and that the server has the model ${site.model} (for Ollama: ollama pull ${site.model}).`
  return llmBadResponse(site, `answered ${status}${said === '' ? '' : `: ${said}`}.${hint}`, { status, body: text.slice(0, MAX_ERROR_TEXT) })
}

const MAX_ERROR_TEXT = 4096

/** The message inside an OpenAI-style (`{error: {message}}`), Ollama-style (`{error}`) or plain-text error body. */
export function serverMessage (text: string): string {
  let said = text
  try {
    const body = JSON.parse(text) as unknown
    said = messageOf(body) ?? text
  } catch {}
  const flat = said.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat
}

/** The human-readable message of an error value a server sent (in a body or an SSE event). */
export function messageOf (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value === null || typeof value !== 'object') return undefined
  const record = value as Record<string, unknown>
  for (const key of ['error', 'message', 'detail']) {
    const found = messageOf(record[key])
    if (found !== undefined && found !== '') return found
  }
  return undefined
}

/** Replaces every occurrence of the secret in a text (error bodies can echo request headers). */
export function scrubSecret (text: string, secret: string | undefined): string {
  return secret === undefined || secret === '' ? text : text.split(secret).join(REDACTED)
}

const REDACTED = '[redacted]'

/**
 * Scrubs a secret from text that arrives in pieces: holds back only the tail that could be the start of the secret,
 * so a secret split across two pieces is still caught and everything else passes through at once.
 */
export class StreamScrubber {
  readonly #secret: string | undefined
  #pending = ''

  constructor (secret: string | undefined) {
    this.#secret = secret === '' ? undefined : secret
  }

  /** Text that is safe to pass on now. */
  push (text: string): string {
    if (this.#secret === undefined) return text
    const all = scrubSecret(this.#pending + text, this.#secret)
    const keep = partialTail(all, this.#secret)
    this.#pending = all.slice(all.length - keep)
    return all.slice(0, all.length - keep)
  }

  /** What is left at the end (a tail that never became the secret). */
  end (): string {
    const rest = this.#pending
    this.#pending = ''
    return rest
  }
}

function partialTail (text: string, secret: string): number {
  for (let n = Math.min(secret.length - 1, text.length); n > 0; n--) {
    if (secret.startsWith(text.slice(text.length - n))) return n
  }
  return 0
}
