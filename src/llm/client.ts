import { Agent, request, type Dispatcher } from 'undici'
import type { Log } from '../observe/logger.js'
import { parseChatCompletion, readChatStream, type ChatAnswer } from './answer.js'
import type { LlmConfig } from './config.js'
import { llmBadResponse, llmHttpError, mapLlmError, type LlmCallSite } from './errors.js'

/** One message of a chat. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** Options of one chat call. */
export interface ChatOptions {
  /** Streams the answer (server-sent events) and passes each piece of text here as it arrives. */
  onDelta?: (text: string) => void
  /** Cancels the call; it then fails with LLM_CANCELLED. */
  signal?: AbortSignal
  /** Logger of this call (e.g. the request's), instead of the client's. */
  log?: Log
}

/** Options besides the configuration. */
export interface LlmClientOptions {
  log?: Log
  /** Replaces the client's own connection pool (tests). */
  dispatcher?: Dispatcher
}

// A successful non-streamed answer of a few thousand characters is a few KiB; this is generous.
const MAX_BODY_BYTES = 4 * 1024 * 1024
const MAX_ERROR_BYTES = 64 * 1024
const CONNECT_TIMEOUT_MS = 10_000
const NOOP_LOG: Log = { debug () {}, info () {}, warn () {}, error () {} }

/**
 * A client of an OpenAI-compatible chat server (`POST {baseUrl}/chat/completions`), streaming or not. Every call has
 * one deadline (LLM_TIMEOUT_MS) covering connect, headers and the whole body, can be cancelled by the caller, and
 * fails only with AppErrors: LLM_UNREACHABLE, LLM_TIMEOUT, LLM_BAD_RESPONSE, LLM_CANCELLED. The API key goes only
 * into the Authorization header; it is scrubbed from anything the server sends back.
 */
export class LlmClient {
  readonly model: string
  readonly #config: LlmConfig
  readonly #log: Log
  readonly #dispatcher: Dispatcher
  readonly #ownDispatcher: boolean
  readonly #site: LlmCallSite

  constructor (config: LlmConfig, options: LlmClientOptions = {}) {
    this.#config = config
    this.model = config.model
    this.#log = options.log ?? NOOP_LOG
    this.#ownDispatcher = options.dispatcher === undefined
    // undici's own timeouts measure idle gaps only; the deadline below is what bounds a call. These just stay out of its way.
    this.#dispatcher = options.dispatcher ?? new Agent({
      connect: { timeout: Math.min(CONNECT_TIMEOUT_MS, config.timeoutMs) },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs
    })
    this.#site = { baseUrl: config.baseUrl, model: config.model, timeoutMs: config.timeoutMs }
  }

  /** Sends the messages and answers the whole reply; with `onDelta`, streams it and passes each piece on as it arrives. */
  async chat (messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatAnswer> {
    const stream = options.onDelta !== undefined
    const deadline = AbortSignal.timeout(this.#config.timeoutMs)
    const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal])
    const log = options.log ?? this.#log
    const started = performance.now()
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json'
    }
    if (this.#config.apiKey !== undefined) headers.authorization = `Bearer ${this.#config.apiKey}`
    const answerOptions = { site: this.#site, secret: this.#config.apiKey, onDelta: options.onDelta }
    try {
      signal.throwIfAborted()
      const res = await request(`${this.#config.baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.#config.model, messages, stream, temperature: 0.2 }),
        signal,
        dispatcher: this.#dispatcher
      })
      if (res.statusCode < 200 || res.statusCode > 299) {
        const text = await readText(res.body, MAX_ERROR_BYTES, false)
        throw llmHttpError(this.#site, res.statusCode, text, this.#config.apiKey)
      }
      // The content type decides, not what was asked: some servers ignore `stream` one way or the other.
      const type = String(res.headers['content-type'] ?? '')
      let answer: ChatAnswer
      if (/text\/event-stream/i.test(type)) {
        answer = await readChatStream(res.body, this.#config.model, answerOptions)
        // Stopping at [DONE] may leave the body unread; release the connection.
        if (!res.body.destroyed) res.body.destroy()
      } else {
        const text = await readText(res.body, MAX_BODY_BYTES, true)
        if (text === undefined) throw llmBadResponse(this.#site, `sent an answer larger than ${MAX_BODY_BYTES} bytes.`)
        answer = parseChatCompletion(text, this.#config.model, answerOptions)
      }
      log.info({ llm: this.#config.baseUrl, model: answer.model, stream, ms: Math.round(performance.now() - started), chars: answer.content.length, finishReason: answer.finishReason }, 'LLM answered')
      return answer
    } catch (err) {
      const mapped = mapLlmError(err, this.#site, { timedOut: deadline.aborted, cancelled: options.signal?.aborted === true })
      log.warn({ llm: this.#config.baseUrl, model: this.#config.model, stream, ms: Math.round(performance.now() - started), code: mapped.code }, 'LLM call failed')
      throw mapped
    }
  }

  /** Closes the connection pool (when it is the client's own). */
  async close (): Promise<void> {
    if (this.#ownDispatcher) await this.#dispatcher.close()
  }
}

/** The body as text, up to `max` bytes: beyond it, undefined when `strict`, else the text cut there. */
async function readText (body: Dispatcher.ResponseData['body'], max: number, strict: true): Promise<string | undefined>
async function readText (body: Dispatcher.ResponseData['body'], max: number, strict: false): Promise<string>
async function readText (body: Dispatcher.ResponseData['body'], max: number, strict: boolean): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buf = Buffer.from(chunk as Uint8Array)
    if (size + buf.length > max) {
      body.destroy()
      if (strict) return undefined
      chunks.push(buf.subarray(0, max - size))
      size = max
      break
    }
    chunks.push(buf)
    size += buf.length
  }
  return Buffer.concat(chunks, size).toString('utf8')
}
